package dev.leakhound.heapprofile.jfr;

import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedObject;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The path from a GC root to an old-object sample, as JFR records it with {@code path-to-gc-roots=true}: the
 * event's {@code object} (an {@code OldObject}: {@code type}, {@code description}, {@code referrer}), each {@code
 * referrer} a {@code Reference} ({@code object}: the referring object, {@code field} or {@code array}: where in it,
 * {@code skip}: steps JFR left out), up to the event's {@code root} ({@code system}, {@code type}, {@code
 * description}). Written root first: {@code root: Class Loader Data}, {@code java.util.HashMap.table}, ..., the
 * object's class. Empty when the event has no root.
 */
final class RootPaths {
    private RootPaths() {
    }

    static List<String> of(RecordedEvent event, RecordedObject object) {
        RecordedObject root = field(event, "root");
        if (root == null || object == null) {
            return List.of();
        }
        List<String> steps = new ArrayList<>();
        steps.add(typeName(object));
        RecordedObject current = object;
        int hops = 0;
        while (hops++ < 10_000) {                       // a chain is finite, but a corrupt one must not loop
            RecordedObject ref = field(current, "referrer");
            RecordedObject referrer = ref == null ? null : field(ref, "object");
            if (referrer == null) {
                break;
            }
            int skip = ref.hasField("skip") ? ref.getInt("skip") : 0;
            if (skip > 0) {
                steps.add("... " + skip + " more");
            }
            String where = "";
            RecordedObject f = field(ref, "field");
            RecordedObject a = field(ref, "array");
            if (f != null && f.hasField("name") && f.getString("name") != null) {
                where = "." + f.getString("name");
            } else if (a != null && a.hasField("index")) {
                where = "[" + a.getLong("index") + "]";
            }
            steps.add(typeName(referrer) + where);
            current = referrer;
        }
        if (steps.size() > JfrProfileBuilder.MAX_PATH) {
            int cut = steps.size() - JfrProfileBuilder.MAX_PATH;
            steps = new ArrayList<>(steps.subList(0, JfrProfileBuilder.MAX_PATH));
            steps.add("... " + cut + " more");
        }
        steps.add("root: " + root(root));
        Collections.reverse(steps);
        return steps;
    }

    private static String root(RecordedObject root) {
        StringBuilder b = new StringBuilder();
        for (String name : new String[]{"system", "type", "description"}) {
            String v = root.hasField(name) ? root.getString(name) : null;
            if (v != null && !v.isBlank() && !v.equals("<unknown>") && !v.equals("N/A")) {
                b.append(b.isEmpty() ? "" : ", ").append(v);
            }
        }
        return b.isEmpty() ? "unknown" : b.toString();
    }

    /**
     * The object's class; for a {@code java.lang.Class} object the class it stands for, when JFR's description
     * names it ({@code Class Name: dev.example.Cache}), so that its static fields read {@code dev.example.Cache.KEPT}.
     */
    private static String typeName(RecordedObject o) {
        Object t = o.hasField("type") ? o.getValue("type") : null;
        String name = t instanceof RecordedClass c ? JfrProfileBuilder.javaName(c.getName()) : "<unknown>";
        String description = o.hasField("description") ? o.getString("description") : null;
        if (name.equals("java.lang.Class") && description != null && description.startsWith(CLASS_NAME)) {
            return description.substring(CLASS_NAME.length()).strip();
        }
        return name;
    }

    private static final String CLASS_NAME = "Class Name:";

    private static RecordedObject field(RecordedObject o, String name) {
        if (!o.hasField(name)) {
            return null;
        }
        Object v = o.getValue(name);
        return v instanceof RecordedObject r ? r : null;
    }
}
