package io.quarkiverse.taskqueue.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkiverse.taskqueue.GroupFailedException;
import io.quarkiverse.taskqueue.GroupSummary;
import io.quarkiverse.taskqueue.TaskEvent;
import io.quarkiverse.taskqueue.TaskGroup;
import io.quarkiverse.taskqueue.TaskHandle;
import io.quarkiverse.taskqueue.TaskId;
import io.quarkiverse.taskqueue.TaskInfo;
import io.quarkiverse.taskqueue.TaskOptions;
import io.quarkiverse.taskqueue.TaskQueue;
import io.quarkiverse.taskqueue.TaskState;
import io.quarkiverse.taskqueue.TaskSubmission;
import io.smallrye.mutiny.subscription.Cancellable;

/** Fan-out: map() and group(). */
public abstract class FanOutContract {

    /** Generous: a contract asserts behaviour, not speed (bench/ measures that), and the stores share the CPU here. */
    static final Duration WAIT = Duration.ofSeconds(120);

    @Inject
    TaskQueue queue;

    @Test
    void mapTurnsEachElementIntoTheHandlersArguments() {
        List<TaskHandle> positional = queue.map("add", List.of(List.of(1, 2), new Integer[] { 3, 4 },
                Map.of("a", 5, "b", 6))).await().atMost(WAIT);
        List<TaskHandle> single = queue.map("sum", List.of(List.of(1, 2, 3), List.of(10))).await().atMost(WAIT);

        assertThat(values(positional)).containsExactly(3, 7, 11);
        assertThat(values(single)).containsExactly(6, 10);
    }

    @Test
    void mapTakesATaskSubmissionElementAsIs() {
        List<TaskHandle> handles = queue.map("add", List.of(List.of(1, 1),
                TaskSubmission.of("add", List.of(2, 2)).priority(7))).await().atMost(WAIT);

        assertThat(values(handles)).containsExactly(2, 4);
        assertThat(handles.get(1).info().await().atMost(WAIT).priority()).isEqualTo(7);
    }

    @Test
    void mapIsAllOrNothingAndNamesTheBadIndex() {
        String group = "map-invalid-" + UUID.randomUUID();
        List<Object> inputs = List.of(List.of(1, 2), List.of(1, 2, 3), List.of(4, 5));

        assertThatThrownBy(() -> queue.map("add", inputs, TaskOptions.builder().groupId(group).build())
                .await().atMost(WAIT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("input 1").hasMessageContaining("takes 2 parameters, but got 3")
                .hasMessageContaining("nothing was submitted");
        assertThatThrownBy(() -> queue.existingGroup(group).summary().await().atMost(WAIT))
                .hasMessageContaining("No group");
        assertThatThrownBy(() -> queue.map("add", List.of(Map.of("a", 1, "c", 2))).await().atMost(WAIT))
                .hasMessageContaining("input 0").hasMessageContaining("no parameter named 'c'");
        assertThatThrownBy(() -> queue.map("no_such_type", List.of(1)).await().atMost(WAIT))
                .hasMessageContaining("no_such_type");
    }

    @Test
    void mapOfAHundredThousandConsumesTheIterableOnce() {
        AtomicInteger iterations = new AtomicInteger();
        Iterable<Integer> once = () -> {
            if (iterations.incrementAndGet() > 1) {
                throw new IllegalStateException("iterated twice");
            }
            return IntStream.range(0, 100_000).iterator();
        };

        List<TaskHandle> handles = queue.map("noop", once).await().atMost(WAIT);

        assertThat(handles).hasSize(100_000);
        assertThat(iterations.get()).isEqualTo(1);
        assertThat(handles.get(99_999).await().await().atMost(WAIT).state()).isEqualTo(TaskState.SUCCEEDED);
    }

    @Test
    void optionsOfTheCallApplyToEveryTaskUnlessATaskOverridesThem() {
        TaskOptions later = TaskOptions.builder().delay(Duration.ofMinutes(10)).priority(3).retries(5).build();
        List<TaskHandle> handles = queue.map("noop", List.of(1,
                TaskSubmission.of("noop", 2).options(TaskOptions.builder().priority(9).build())), later)
                .await().atMost(WAIT);

        TaskInfo first = handles.get(0).info().await().atMost(WAIT);
        TaskInfo second = handles.get(1).info().await().atMost(WAIT);
        assertThat(first.priority()).isEqualTo(3);
        assertThat(first.state()).isEqualTo(TaskState.SCHEDULED);
        assertThat(second.priority()).isEqualTo(9);
        assertThat(second.state()).isEqualTo(TaskState.SCHEDULED);
        handles.forEach(h -> h.cancel().await().atMost(WAIT));
    }

    @Test
    void groupValuesComeInSubmissionOrderWhateverTheFinishingOrder() {
        List<Long> sleeps = List.of(300L, 10L, 150L, 0L, 50L);
        TaskGroup group = queue.group(null, "sleep", sleeps, TaskOptions.defaults()).await().atMost(WAIT);

        assertThat(group.id()).isNotBlank();
        assertThat(group.handles()).hasSize(5);
        assertThat(group.values(Long.class).await().atMost(WAIT)).containsExactlyElementsOf(sleeps);
        GroupSummary summary = group.await().await().atMost(WAIT);
        assertThat(summary.done()).isTrue();
        assertThat(summary).isEqualTo(group.summary().await().atMost(WAIT));
    }

    @Test
    void aHeterogeneousGroupAppendsToAnExistingIdAndFailsItsValuesWhenATaskFailed() {
        String id = "mixed-" + UUID.randomUUID();
        TaskOptions once = TaskOptions.builder().retries(0).build();
        TaskGroup first = queue.group(id, List.of(TaskSubmission.of("add", List.of(1, 2)),
                TaskSubmission.of("fail", "broken")), once).await().atMost(WAIT);
        TaskGroup more = queue.group(id, List.of(TaskSubmission.of("square", 3)), once).await().atMost(WAIT);

        GroupSummary summary = more.await().await().atMost(WAIT);

        assertThat(summary.total()).isEqualTo(3);
        assertThat(summary.succeeded()).isEqualTo(2);
        assertThat(summary.failed()).isEqualTo(1);
        assertThat(queue.existingGroup(id).handles()).extracting(TaskHandle::id)
                .containsExactly(first.handles().get(0).id(), first.handles().get(1).id(), more.handles().get(0).id());
        assertThatThrownBy(() -> first.values(Integer.class).await().atMost(WAIT))
                .isInstanceOfSatisfying(GroupFailedException.class, e -> {
                    assertThat(e.failures()).containsOnlyKeys(first.handles().get(1).id());
                    assertThat(e.failures().values()).containsExactly("broken");
                });
    }

    @Test
    void cancellingAHalfRunGroupCancelsWhatHasNotStarted() {
        TaskGroup group = queue.group(null, "sleep", IntStream.range(0, 300).mapToObj(i -> 20L).toList(),
                TaskOptions.defaults()).await().atMost(WAIT);
        group.handles().get(0).await().await().atMost(WAIT);

        ConcurrentLinkedQueue<TaskEvent> events = new ConcurrentLinkedQueue<>();
        Cancellable subscription = queue.events().subscribe().with(events::add);
        int cancelled = group.cancel().await().atMost(WAIT);
        GroupSummary summary = group.await().await().atMost(WAIT);
        Set<TaskId> ids = new HashSet<>();
        group.handles().forEach(h -> ids.add(h.id()));
        long deadline = System.currentTimeMillis() + 5_000;
        while (events.stream().filter(e -> e instanceof TaskEvent.TaskCancelled c && ids.contains(c.taskId())).count()
                < summary.cancelled() && System.currentTimeMillis() < deadline) {
            Thread.onSpinWait();
        }
        subscription.cancel();

        assertThat(events.stream().filter(e -> e instanceof TaskEvent.TaskCancelled c && ids.contains(c.taskId())))
                .as("one TaskCancelled per cancelled task").hasSize(summary.cancelled());

        assertThat(cancelled).isPositive().isLessThan(300);
        assertThat(summary.cancelled()).isGreaterThanOrEqualTo(cancelled);
        assertThat(summary.succeeded()).isPositive();
        assertThat(summary.succeeded() + summary.cancelled()).isEqualTo(300);
        assertThat(summary.done()).isTrue();
    }

    @Test
    void progressRisesMonotonicallyAndEndsDone() {
        TaskGroup group = queue.group(null, "sleep", IntStream.range(0, 200).mapToObj(i -> 5L).toList(),
                TaskOptions.defaults()).await().atMost(WAIT);

        List<GroupSummary> seen = group.progress().collect().asList().await().atMost(WAIT);

        assertThat(seen).isNotEmpty();
        assertThat(seen.get(seen.size() - 1).done()).isTrue();
        assertThat(seen.get(seen.size() - 1).succeeded()).isEqualTo(200);
        for (int i = 1; i < seen.size(); i++) {
            assertThat(seen.get(i).succeeded()).isGreaterThanOrEqualTo(seen.get(i - 1).succeeded());
        }
    }

    @Test
    void aHundredThousandTaskGroupCompletesOnceWithTheRightCounts() throws InterruptedException {
        ConcurrentLinkedQueue<TaskEvent.GroupCompleted> completions = new ConcurrentLinkedQueue<>();
        Cancellable subscription = queue.events().subscribe().with(e -> {
            if (e instanceof TaskEvent.GroupCompleted c) {
                completions.add(c);
            }
        });
        try {
            String id = "big-" + UUID.randomUUID();
            TaskGroup group = queue.group(id, "noop", IntStream.range(0, 100_000).boxed().toList(),
                    TaskOptions.defaults()).await().atMost(WAIT);

            GroupSummary summary = group.await().await().atMost(WAIT);

            assertThat(summary).isEqualTo(new GroupSummary(id, 100_000, 0, 0, 100_000, 0, 0));
            Thread.sleep(500);
            List<TaskEvent.GroupCompleted> ours = new ArrayList<>();
            completions.stream().filter(c -> c.summary().groupId().equals(id)).forEach(ours::add);
            assertThat(ours).singleElement().satisfies(c -> assertThat(c.summary().total()).isEqualTo(100_000));
        } finally {
            subscription.cancel();
        }
    }

    private static List<Integer> values(List<TaskHandle> handles) {
        List<Integer> values = new ArrayList<>();
        for (Iterator<TaskHandle> it = handles.iterator(); it.hasNext();) {
            values.add(it.next().value(Integer.class).await().atMost(WAIT));
        }
        return values;
    }
}
