package dev.leakhound.testing;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.UnknownFieldSet;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * A pprof {@code profile.proto} read back with protobuf's schema-less parser, by the field numbers of
 * {@code perftools.profiles.Profile}: only what the tests check.
 */
public record PprofProfile(List<Sample> samples, List<String> strings, List<String> functionNames) {

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
                labels.add(strings.get((int) (long) label.getField(1).getVarintList().get(0)) + "="
                        + strings.get((int) (long) label.getField(2).getVarintList().get(0)));
            }
            samples.add(new Sample(varints(s.getField(1)), varints(s.getField(2)), labels));
        }
        List<String> functions = new ArrayList<>();
        for (var bytes : profile.getField(5).getLengthDelimitedList()) {
            UnknownFieldSet f = UnknownFieldSet.parseFrom(bytes);
            functions.add(strings.get((int) (long) f.getField(2).getVarintList().get(0)));
        }
        return new PprofProfile(samples, strings, functions);
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
