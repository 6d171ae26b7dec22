package dev.leakhound.testing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads a JSON document into maps, lists, strings, longs, doubles, booleans and nulls (jackson-core only). */
public final class Json {
    private Json() {
    }

    /** Parses exactly one document; anything after it is an error. */
    public static Object parse(String text) throws IOException {
        try (JsonParser p = new JsonFactory().createParser(text)) {
            if (p.nextToken() == null) {
                throw new IOException("no JSON document");
            }
            Object value = value(p);
            if (p.nextToken() != null) {
                throw new IOException("more than one JSON document, or trailing content: " + p.currentToken());
            }
            return value;
        }
    }

    private static Object value(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        return switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    if (m.put(name, value(p)) != null) {
                        throw new IOException("field \"" + name + "\" twice");
                    }
                }
                yield m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(value(p));
                }
                yield l;
            }
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT -> p.getLongValue();
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE, VALUE_FALSE -> p.getBooleanValue();
            case VALUE_NULL -> null;
            default -> throw new IOException("unexpected " + t);
        };
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    public static List<Object> array(Object o) {
        return (List<Object>) o;
    }

    public static List<Map<String, Object>> objects(Object o) {
        return array(o).stream().map(Json::object).toList();
    }
}
