package dev.leakhound.analysis;

import dev.leakhound.model.Blocker;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadSnapshot;
import dev.leakhound.report.JsonReport;
import dev.leakhound.report.TextReport;
import com.fasterxml.jackson.core.JsonGenerator;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

class ThreadGroupingTest {
    private static final List<StackFrame> PUT = List.of(
            StackFrame.parse("java.base/java.util.concurrent.SynchronousQueue.put(SynchronousQueue.java:266)"),
            StackFrame.parse("com.example.App.send(App.java:8)"));
    private static final List<StackFrame> TAKE = List.of(
            StackFrame.parse("java.base/java.util.concurrent.LinkedBlockingQueue.take(LinkedBlockingQueue.java:435)"),
            StackFrame.parse("com.example.App.receive(App.java:20)"));

    private static ThreadSnapshot t(long id, Thread.State state, List<StackFrame> stack, String blocker) {
        Blocker b = blocker == null ? null : Blocker.parse(Blocker.Kind.PARKED_ON, blocker, null);
        // copy the stack: equal stacks from different sources are different list instances
        return new ThreadSnapshot(id, "t" + id, true, null, state, new ArrayList<>(stack), b, List.of(), "<root>",
                null, null);
    }

    @Test
    void groupsByStateBlockerClassAndStackLargestFirst() {
        List<ThreadSnapshot> threads = List.of(
                t(1, Thread.State.WAITING, TAKE, "java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject@1"),
                t(2, Thread.State.WAITING, PUT, "java.util.concurrent.SynchronousQueue$Transferer@a"),
                t(3, Thread.State.WAITING, PUT, "java.util.concurrent.SynchronousQueue$Transferer@b"),
                t(4, Thread.State.TIMED_WAITING, PUT, "java.util.concurrent.SynchronousQueue$Transferer@c"),
                t(5, Thread.State.WAITING, PUT, "java.util.concurrent.SynchronousQueue$Transferer@a"));
        List<StackGroup> groups = ThreadGrouping.group(threads);

        assertThat(groups).extracting(StackGroup::count).containsExactly(3, 1, 1);
        StackGroup put = groups.get(0);
        assertThat(put.threads()).extracting(ThreadSnapshot::id).containsExactly(2L, 3L, 5L);
        assertThat(put.blockerObjects()).containsExactly(
                "java.util.concurrent.SynchronousQueue$Transferer@a", "java.util.concurrent.SynchronousQueue$Transferer@b");
        // ties keep the order of first appearance
        assertThat(groups.get(1).threads().get(0).id()).isEqualTo(1);
        assertThat(groups.get(2).state()).isEqualTo(Thread.State.TIMED_WAITING);

        assertThat(ThreadGrouping.suspects(groups)).extracting(StackGroup::count).containsExactly(3, 1);
        assertThat(TextReport.headline(put)).isEqualTo(
                "3 virtual threads WAITING in SynchronousQueue.put, parked on 2 objects of java.util.concurrent.SynchronousQueue$Transferer");
    }

    @Test
    void oneBlockingLineIsOneGroupWhateverTheStartSitesWhichItListsWithTheirCounts() {
        // A JUnit run: the same "started at" line called from two tests; and threads started before the agent.
        dev.leakhound.model.CreationSite fromA = new dev.leakhound.model.CreationSite(List.of(
                StackFrame.parse("com.example.Service.start(Service.java:12)"),
                StackFrame.parse("com.example.ServiceTest.a(ServiceTest.java:20)")), "main", null);
        dev.leakhound.model.CreationSite fromB = new dev.leakhound.model.CreationSite(List.of(
                StackFrame.parse("com.example.Service.start(Service.java:12)"),
                StackFrame.parse("com.example.ServiceTest.b(ServiceTest.java:31)")), "main", null);
        String transferer = "java.util.concurrent.SynchronousQueue$Transferer@a";
        List<ThreadSnapshot> threads = new ArrayList<>();
        for (long id = 1; id <= 6; id++) {
            ThreadSnapshot t = t(id, Thread.State.WAITING, PUT, transferer);
            threads.add(id <= 3 ? t.withCreationSite(fromA) : id <= 5 ? t.withCreationSite(fromB) : t);
        }
        List<StackGroup> groups = ThreadGrouping.group(threads);

        assertThat(groups).singleElement().satisfies(g -> {
            assertThat(g.count()).isEqualTo(6);
            assertThat(g.startSites()).extracting(StackGroup.StartSite::count).containsExactly(3, 2);
            assertThat(g.withoutStartSite()).isEqualTo(1);
            assertThat(g.creationSite()).isEqualTo(fromA);
        });
        assertThat(TextReport.group(groups.get(0), false)).contains("\n"
                + "  started at  3 threads at com.example.Service.start(Service.java:12) by \"main\", called from"
                + " com.example.ServiceTest.a(ServiceTest.java:20)\n"
                + "              2 threads at com.example.Service.start(Service.java:12) by \"main\", called from"
                + " com.example.ServiceTest.b(ServiceTest.java:31)\n"
                + "              1 without a recorded start site (started before the agent was loaded, or not recorded)\n");
        assertThat(json(groups).replaceAll("\\s+", "")).contains("\"startSites\":[{\"at\":\"com.example.Service.start"
                + "(Service.java:12)\",\"calledFrom\":\"com.example.ServiceTest.a(ServiceTest.java:20)\",\"creator\":"
                + "\"main\",\"count\":3},{", "\"withoutStartSite\":1");

        // The bounded accumulator counts them the same, whatever it keeps.
        ThreadGrouping.Accumulator a = ThreadGrouping.Accumulator.bounded();
        threads.forEach(a);
        assertThat(a.groups().get(0).startSites()).isEqualTo(groups.get(0).startSites());

        // All from one place: the line as before, no counts.
        List<StackGroup> one = ThreadGrouping.group(threads.subList(0, 3));
        assertThat(TextReport.group(one.get(0), false)).contains(
                "\n  started at  com.example.Service.start(Service.java:12) by \"main\"\n");
    }

    @Test
    void theBoundedAccumulatorKeepsEveryThreadUpToItsLimitThenTenAGroupWithExactCounts() {
        ThreadGrouping.Accumulator small = ThreadGrouping.Accumulator.bounded();
        for (long i = 0; i < 1000; i++) {
            small.accept(t(i, Thread.State.WAITING, PUT, "java.util.concurrent.SynchronousQueue$Transferer@" + i));
        }
        assertThat(small.groups()).singleElement().satisfies(g -> {
            assertThat(g.complete()).isTrue();
            assertThat(g.threads()).hasSize(1000);
        });

        ThreadGrouping.Accumulator big = ThreadGrouping.Accumulator.bounded();
        int n = ThreadGrouping.Accumulator.KEEP_ALL + 5000;
        for (long i = 0; i < n; i++) {
            List<StackFrame> stack = i % 3 == 0 ? TAKE : PUT;
            ThreadSnapshot t = t(i, Thread.State.WAITING, stack, "java.util.concurrent.SynchronousQueue$Transferer@" + i);
            big.accept(i % 2 == 0 ? t : new ThreadSnapshot(t.id(), t.name(), false, null, t.state(), t.stack(),
                    t.blocker(), List.of(), null, null, null));
        }
        List<StackGroup> groups = big.groups();
        assertThat(groups).extracting(StackGroup::count).containsExactly(n - (n + 2) / 3, (n + 2) / 3);
        StackGroup put = groups.get(0);
        assertThat(put.complete()).isFalse();
        assertThat(put.threads()).extracting(ThreadSnapshot::id).containsExactly(1L, 2L, 4L, 5L, 7L, 8L, 10L, 11L, 13L, 14L);
        assertThat(put.virtualCount()).isEqualTo(LongStream.range(0, n).filter(i -> i % 3 != 0 && i % 2 == 0).count());
        assertThat(TextReport.headline(put)).isEqualTo(put.count() + " platform and virtual threads WAITING in "
                + "SynchronousQueue.put, parked on objects of java.util.concurrent.SynchronousQueue$Transferer "
                + "(10 distinct among the 10 threads listed)");
        assertThat(TextReport.group(put, false)).contains("#1 \"t1\", #2 \"t2\", #4 \"t4\", #5 \"t5\", #7 \"t7\", "
                + "#8 \"t8\", #10 \"t10\", #11 \"t11\", #13 \"t13\", #14 \"t14\" and " + (put.count() - 10) + " more");
        assertThat(json(List.of(put))).contains("\"threadsOmitted\" : " + (put.count() - 10) + ",");
        // the unbounded grouping of the same threads keeps them all
        assertThat(json(ThreadGrouping.group(put.threads()))).doesNotContain("threadsOmitted");
    }

    /** The groups as {@code leakhound threads --json} writes them. */
    private static String json(List<StackGroup> groups) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JsonReport.generator(w)) {
            JsonReport.writeGroups(g, groups);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }
}
