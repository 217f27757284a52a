package io.quarkiverse.taskqueue.cli;

import picocli.CommandLine.Command;

@Command(name = "taskqueue", mixinStandardHelpOptions = true, version = "taskqueue 999-SNAPSHOT",
        description = "Submits and inspects the tasks of a TaskQueue store, or of a running application's REST API.",
        subcommands = { SubmitManyCommand.class, StatusCommand.class, GroupCommand.class, StatsCommand.class,
                CancelCommand.class, DemoCommand.class },
        footer = { "", "Exit codes: 0 done, 1 some lines or tasks failed, 2 usage or I/O error, 3 not found." })
public class TaskQueueCommand {
}
