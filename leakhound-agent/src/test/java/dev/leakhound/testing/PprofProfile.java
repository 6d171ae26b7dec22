package dev.leakhound.testing;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.UnknownFieldSet;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * A pprof {@code profile.proto} read back with protobuf's schema-less parser, by the field numbers of
 * {@code perftools.profiles.Profile}: only what the tests check (sample types as {@code type/unit}, locations as
 * {@code function:line}).
 */
public record PprofProfile(List<Sample> samples, List<String> strings, List<String> functionNames,
                           List<String> sampleTypes, Map<Long, String> locations) {

    public record Sample(List<Long> locationIds, List<Long> values, List<String> labels) {
    }

    public static boolean isGzip(byte[] bytes) {
        return bytes.length > 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b;
    }

    public static PprofProfile decode(byte[] gzipped) throws IOException {
        byte[] raw;
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
            raw = in.readAllBytes();
        }
        UnknownFieldSet profile = UnknownFieldSet.parseFrom(raw);
        List<String> strings = profile.getField(6).getLengthDelimitedList().stream().map(b -> b.toStringUtf8()).toList();
        List<Sample> samples = new ArrayList<>();
        for (var bytes : profile.getField(2).getLengthDelimitedList()) {
            UnknownFieldSet s = UnknownFieldSet.parseFrom(bytes);
            List<String> labels = new ArrayList<>();
            for (var l : s.getField(3).getLengthDelimitedList()) {
                UnknownFieldSet label = UnknownFieldSet.parseFrom(l);
                String key = strings.get((int) (long) label.getField(1).getVarintList().get(0));
                if (label.getField(2).getVarintList().isEmpty()) {           // a number label: key=num unit
                    List<Long> num = label.getField(3).getVarintList();
                    labels.add(key + "=" + (num.isEmpty() ? 0 : num.get(0)) + " " + string(strings, label.getField(4)));
                } else {
                    labels.add(key + "=" + strings.get((int) (long) label.getField(2).getVarintList().get(0)));
                }
            }
            samples.add(new Sample(varints(s.getField(1)), varints(s.getField(2)), labels));
        }
        List<String> functions = new ArrayList<>();
        Map<Long, String> functionById = new HashMap<>();
        for (var bytes : profile.getField(5).getLengthDelimitedList()) {
            UnknownFieldSet f = UnknownFieldSet.parseFrom(bytes);
            String name = strings.get((int) (long) f.getField(2).getVarintList().get(0));
            functions.add(name);
            functionById.put(f.getField(1).getVarintList().get(0), name);
        }
        List<String> sampleTypes = new ArrayList<>();
        for (var bytes : profile.getField(1).getLengthDelimitedList()) {
            UnknownFieldSet t = UnknownFieldSet.parseFrom(bytes);
            sampleTypes.add(string(strings, t.getField(1)) + "/" + string(strings, t.getField(2)));
        }
        Map<Long, String> locations = new HashMap<>();
        for (var bytes : profile.getField(4).getLengthDelimitedList()) {
            UnknownFieldSet l = UnknownFieldSet.parseFrom(bytes);
            UnknownFieldSet line = UnknownFieldSet.parseFrom(l.getField(4).getLengthDelimitedList().get(0));
            List<Long> number = line.getField(2).getVarintList();
            locations.put(l.getField(1).getVarintList().get(0), functionById.get(line.getField(1).getVarintList().get(0))
                    + ":" + (number.isEmpty() ? 0 : number.get(0)));
        }
        return new PprofProfile(samples, strings, functions, sampleTypes, locations);
    }

    /** {@code package.Class.method:line} of each location of a sample, leaf first. */
    public List<String> frames(Sample sample) {
        return sample.locationIds().stream().map(locations::get).toList();
    }

    /** The string a varint field indexes ({@code ""} when the field is absent: proto3 leaves zeros out). */
    private static String string(List<String> strings, UnknownFieldSet.Field field) {
        return field.getVarintList().isEmpty() ? "" : strings.get((int) (long) field.getVarintList().get(0));
    }

    /** A repeated varint field, packed or not. */
    private static List<Long> varints(UnknownFieldSet.Field field) throws IOException {
        List<Long> out = new ArrayList<>(field.getVarintList());
        for (var packed : field.getLengthDelimitedList()) {
            CodedInputStream in = packed.newCodedInput();
            while (!in.isAtEnd()) {
                out.add(in.readRawVarint64());
            }
        }
        return out;
    }
}
