package msnscope.cli;

import msnscope.capture.CaptureStore;
import msnscope.capture.RecorderLock;
import msnscope.dissect.Dissector;
import msnscope.index.CaptureIndex;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** {@code msnscope delete ID}: removes a session from the capture and the index. */
final class DeleteCommand implements Command {

    @Override
    public String name() {
        return "delete";
    }

    @Override
    public String usage() {
        return "ID... [--data DIR]";
    }

    @Override
    public String description() {
        return "Delete sessions (s3) for good: the capture file and every index document of the session.";
    }

    @Override
    public Options options() {
        Options o = new Options();
        DataOptions.add(o);
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws Exception {
        if (line.getArgList().isEmpty()) {
            throw new UsageException("give the session ids to delete (see msnscope sessions)");
        }
        CaptureStore store = DataOptions.existing(line);
        // A recording proxy may be writing any of its sessions: delete only while nobody records (and
        // hold the lock meanwhile, so no proxy starts recording halfway through).
        RecorderLock lock;
        try {
            lock = RecorderLock.acquire(store, "deleting sessions");
        } catch (RecorderLock.Busy e) {
            throw new UsageException(e.getMessage() + "; stop it, then delete");
        }
        try (lock) {
            return delete(line, store, out);
        } finally {
            DataOptions.printNotes(store, err);
        }
    }

    private static int delete(CommandLine line, CaptureStore store, PrintStream out) throws Exception {
        // All or nothing: a mistyped id in a batch means the user meant something else, so the ids that do
        // exist are not deleted either, and the one line says which were refused.
        List<String> unknown = new ArrayList<>();
        for (String arg : line.getArgList()) {
            String id = arg.trim();
            if (!id.matches("s\\d+")) {
                throw new UsageException((id.matches("s\\d+[/.]c\\d+") ? "delete takes whole sessions (s3), not connections (" + arg + ")"
                        : "'" + arg + "' is not a session id (like s3)") + "; nothing deleted");
            }
            if (!store.exists(id)) {
                unknown.add(id);
            }
        }
        if (!unknown.isEmpty()) {
            throw new UsageException((unknown.size() == 1 ? "no session " : "no sessions ") + String.join(", ", unknown) + " in " + store.root()
                    + "; nothing deleted (see msnscope sessions)");
        }
        try (CaptureIndex index = DataOptions.index(store, () -> new Dissector(Inputs.spec(line)))) {
            if (index.readOnly()) {
                throw new UsageException("a running msnscope (the proxy?) holds the index; stop it, then delete");
            }
            for (String arg : line.getArgList()) {
                String id = arg.trim();
                store.delete(id);
                index.deleteSession(id);
                out.println("deleted " + id);
            }
            index.refreshAndCommit();
        }
        return Main.OK;
    }
}
