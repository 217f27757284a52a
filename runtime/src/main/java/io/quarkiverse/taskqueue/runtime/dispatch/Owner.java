package io.quarkiverse.taskqueue.runtime.dispatch;

import java.net.InetAddress;
import java.util.UUID;

/**
 * Who holds a task's lease: {@code host/pid/random}. On the host that wrote it, a lease whose process no longer
 * exists can be recovered at once instead of waiting for it to expire (a restart after a crash runs the lost
 * tasks straight away); elsewhere, and when the process id was reused, the lease simply expires.
 */
public final class Owner {

    private Owner() {
    }

    /** A new owner id for this process. */
    public static String create() {
        return Host.NAME + "/" + ProcessHandle.current().pid() + "/" + UUID.randomUUID();
    }

    /** True when {@code owner} is a process of this host that is not running any more. */
    public static boolean isDeadLocalProcess(String owner) {
        if (owner == null) {
            return false;
        }
        String[] parts = owner.split("/");
        if (parts.length != 3 || !parts[0].equals(Host.NAME)) {
            return false;
        }
        long pid;
        try {
            pid = Long.parseLong(parts[1]);
        } catch (NumberFormatException e) {
            return false;
        }
        return pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    }

    /** Looked up on first use, at run time (a native image must not keep the build machine's name). */
    private static final class Host {
        static final String NAME = lookup();

        private static String lookup() {
            try {
                return InetAddress.getLocalHost().getHostName().replace('/', '_');
            } catch (Exception e) {
                return "localhost";
            }
        }
    }
}
