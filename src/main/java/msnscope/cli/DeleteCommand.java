package msnscope.cli;

import msnscope.capture.CaptureStore;
import msnscope.capture.RecorderLock;
import msnscope.dissect.Dissector;
import msnscope.index.CaptureIndex;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

import java.io.PrintStream;

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
        for (String arg : line.getArgList()) {
            String[] id = DataOptions.id(arg, store);
            if (id.length != 1) {
                throw new UsageException("delete takes whole sessions (s3), not connections (" + arg + ")");
            }
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
