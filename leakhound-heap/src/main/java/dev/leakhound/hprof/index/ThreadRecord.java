package dev.leakhound.hprof.index;

/**
 * A thread as the dump's records give it: its ROOT_THREAD_OBJ (the {@code java.lang.Thread} object, the thread serial
 * number that JAVA_FRAME and other roots name) and the serial of its STACK_TRACE ({@link HeapIndex#stack}).
 */
public record ThreadRecord(long objectId, int threadSerial, int stackTraceSerial) {
}
