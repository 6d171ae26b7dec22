package dev.leakhound.agent.gcwatch;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;
import dev.leakhound.gc.GcCycle;
import dev.leakhound.gc.HeapTrend;

import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Listens to the JVM's garbage collections, live: every {@code GarbageCollectorMXBean} notification
 * ({@link GarbageCollectionNotificationInfo}) becomes a {@link GcCycle}, numbered in the order they arrive
 * (1, 2, 3, ...), delivered to a consumer and kept in a ring of the last {@code capacity} cycles.
 *
 * <p>Every collector of HotSpot works: G1 (young, mixed, full, and the Remark/Cleanup pauses of its
 * concurrent cycle, {@code G1 Concurrent GC}), Parallel, Serial, ZGC and Shenandoah (their cycles and
 * their pauses, as separate notifications; see {@link GcCycle}). Heap sizes are the sums over the heap's
 * memory pools (of type {@link MemoryType#HEAP}) of the usage before and after the collection, as the
 * notification reports it; committed is after the collection; the maximum is {@link Runtime#maxMemory()}
 * ({@link GcCycle#UNKNOWN} when unbounded). When every heap pool reports zero (ZGC's pauses), the sizes
 * are {@link GcCycle#UNKNOWN}. Durations have the notification's resolution: milliseconds.
 *
 * <p>Nothing is ever thrown into the JVM's notification thread: a failure (of this class or of the
 * consumer) is counted, the first one is kept ({@link #firstFailure()}) and handed once to the failure
 * handler, and delivery goes on. {@link #close()} removes the listeners.
 */
public final class GcNotifications implements AutoCloseable {
    /** Default number of cycles kept: 256. */
    public static final int DEFAULT_CAPACITY = 256;

    private final Consumer<? super GcCycle> consumer;
    private final Consumer<? super Throwable> onFirstFailure;
    private final int capacity;
    private final Set<String> heapPools;
    private final long heapMax;
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final List<String> collectors = new ArrayList<>();
    private final NotificationListener listener = this::handle;
    private final ArrayDeque<GcCycle> ring;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    private long number;                                  // guarded by ring
    private volatile boolean closed;

    private GcNotifications(Consumer<? super GcCycle> consumer, int capacity, Consumer<? super Throwable> onFirstFailure) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.consumer = consumer;
        this.onFirstFailure = onFirstFailure;
        this.capacity = capacity;
        this.ring = new ArrayDeque<>(Math.min(capacity, 1024));
        Set<String> pools = new LinkedHashSet<>();
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                pools.add(p.getName());
            }
        }
        this.heapPools = Set.copyOf(pools);
        long max = Runtime.getRuntime().maxMemory();
        this.heapMax = max == Long.MAX_VALUE ? GcCycle.UNKNOWN : max;
    }

    /** Starts listening with the default capacity; {@code consumer} may be {@code null} (ring only). */
    public static GcNotifications start(Consumer<? super GcCycle> consumer) {
        return start(consumer, DEFAULT_CAPACITY, null);
    }

    /**
     * Starts listening to every garbage collector of this JVM.
     *
     * @param consumer       gets each cycle, on the JVM's notification thread (keep it short); may be
     *                       {@code null}
     * @param capacity       how many of the last cycles {@link #recent()} keeps, at least 1
     * @param onFirstFailure gets the first failure while handling a notification (the consumer's
     *                       included), once; may be {@code null}
     */
    public static GcNotifications start(Consumer<? super GcCycle> consumer, int capacity,
                                        Consumer<? super Throwable> onFirstFailure) {
        GcNotifications n = new GcNotifications(consumer, capacity, onFirstFailure);
        try {
            for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (bean instanceof NotificationEmitter emitter) {
                    emitter.addNotificationListener(n.listener, null, null);
                    n.emitters.add(emitter);
                    n.collectors.add(bean.getName());
                }
            }
        } catch (RuntimeException | Error e) {
            n.close();          // no listener may stay behind a part that is reported as off
            throw e;
        }
        return n;
    }

    private void handle(Notification notification, Object handback) {
        try {
            if (closed || !GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                return;
            }
            GarbageCollectionNotificationInfo info =
                    GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
            GcInfo gc = info.getGcInfo();
            GcCycle cycle;
            synchronized (ring) {
                cycle = cycle(++number, info.getGcName(), info.getGcAction(), info.getGcCause(), gc.getStartTime(),
                        gc.getDuration(), gc.getMemoryUsageBeforeGc(), gc.getMemoryUsageAfterGc(), heapPools, heapMax);
                if (ring.size() == capacity) {
                    ring.removeFirst();
                }
                ring.addLast(cycle);
            }
            if (consumer != null) {
                consumer.accept(cycle);
            }
        } catch (Throwable e) {
            failed(e);
        }
    }

    private void failed(Throwable e) {
        failures.incrementAndGet();
        if (firstFailure.compareAndSet(null, e) && onFirstFailure != null) {
            try {
                onFirstFailure.accept(e);
            } catch (Throwable ignored) {
                // the handler's own failure must not reach the notification thread either
            }
        }
    }

    /**
     * Makes a cycle from a notification's figures.
     *
     * @param startMillis    start, in milliseconds since the JVM started
     * @param durationMillis duration in milliseconds: a pause, or concurrent time for a
     *                       {@link GcCycle.Kind#CONCURRENT} cycle
     * @param heapPools      the names of the heap's pools; other pools (Metaspace, code cache) are left out
     */
    static GcCycle cycle(long number, String collector, String action, String cause, long startMillis,
                         long durationMillis, Map<String, MemoryUsage> before, Map<String, MemoryUsage> after,
                         Set<String> heapPools, long heapMax) {
        GcCycle.Kind kind = GcCycle.Kind.of(collector, action);
        Duration duration = Duration.ofMillis(Math.max(0, durationMillis));
        List<GcCycle.Pool> pools = new ArrayList<>();
        long usedBefore = 0;
        long usedAfter = 0;
        long committed = 0;
        boolean any = false;
        for (Map.Entry<String, MemoryUsage> e : after.entrySet()) {
            if (!heapPools.contains(e.getKey())) {
                continue;
            }
            MemoryUsage a = e.getValue();
            MemoryUsage b = before.get(e.getKey());
            long beforeUsed = b == null ? a.getUsed() : b.getUsed();
            pools.add(new GcCycle.Pool(e.getKey(), beforeUsed, a.getUsed(), a.getCommitted(), a.getMax()));
            usedBefore += beforeUsed;
            usedAfter += a.getUsed();
            committed += a.getCommitted();
            any |= beforeUsed != 0 || a.getUsed() != 0 || a.getCommitted() != 0;
        }
        pools.sort((x, y) -> x.name().compareTo(y.name()));
        long u = GcCycle.UNKNOWN;
        return new GcCycle(number, Duration.ofMillis(Math.max(0, startMillis)), Objects.requireNonNullElse(collector, "?"),
                cause, action, kind, kind.stopsTheWorld() ? duration : null, kind.stopsTheWorld() ? null : duration,
                any ? usedBefore : u, any ? usedAfter : u, any ? committed : u, heapMax, any ? pools : List.of());
    }

    /** The last cycles (at most the capacity), oldest first. */
    public List<GcCycle> recent() {
        synchronized (ring) {
            return List.copyOf(ring);
        }
    }

    /** The heap trend of the kept cycles ({@link HeapTrend#of(List)}). */
    public HeapTrend trend() {
        return HeapTrend.of(recent());
    }

    /** How many collections have been seen since {@link #start}. */
    public long count() {
        synchronized (ring) {
            return number;
        }
    }

    /** The collectors listened to, e.g. {@code [G1 Young Generation, G1 Concurrent GC, G1 Old Generation]}. */
    public List<String> collectors() {
        return List.copyOf(collectors);
    }

    /** How many notifications could not be handled (or whose consumer failed). */
    public long failures() {
        return failures.get();
    }

    /** The first failure, or {@code null}. */
    public Throwable firstFailure() {
        return firstFailure.get();
    }

    /**
     * Removes the listeners: a notification that arrives after this returns is not delivered (one being
     * handled at that moment may still complete). Idempotent.
     */
    @Override
    public synchronized void close() {
        closed = true;
        for (NotificationEmitter e : emitters) {
            try {
                e.removeNotificationListener(listener);
            } catch (ListenerNotFoundException ignored) {
                // already gone
            }
        }
        emitters.clear();
    }
}
