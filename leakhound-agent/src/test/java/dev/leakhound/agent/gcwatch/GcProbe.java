package dev.leakhound.agent.gcwatch;

import dev.leakhound.gc.GcCycle;
import dev.leakhound.gc.report.GcTrace;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Run in a child JVM by {@link GcNotificationsTest}: prints one gctrace line per collection while it calls
 * {@code System.gc()} {@code args[0]} times, and exits 0 once the whole-heap collection of each call has
 * been reported (2 if not within 240 s).
 */
public final class GcProbe {
    private GcProbe() {
    }

    public static void main(String[] args) throws Exception {
        int calls = Integer.parseInt(args[0]);
        CountDownLatch full = new CountDownLatch(calls);
        GcNotifications[] self = new GcNotifications[1];
        try (GcNotifications gc = GcNotifications.start(c -> {
            System.out.println(GcTrace.line(c, self[0] == null ? null : self[0].trend()));
            if ("System.gc()".equals(c.cause())
                    && (c.kind() == GcCycle.Kind.MAJOR || c.kind() == GcCycle.Kind.CONCURRENT)) {
                full.countDown();
            }
        }, 64, Throwable::printStackTrace)) {
            self[0] = gc;
            System.out.println("collectors " + gc.collectors());
            for (int i = 0; i < calls; i++) {
                byte[][] garbage = new byte[512][];
                for (int j = 0; j < garbage.length; j++) {
                    garbage[j] = new byte[1024];
                }
                System.gc();
            }
            boolean done = full.await(240, TimeUnit.SECONDS);
            gc.close();
            System.out.println("done " + done + " failures " + gc.failures());
            System.out.flush();
            System.exit(done ? 0 : 2);
        }
    }
}
