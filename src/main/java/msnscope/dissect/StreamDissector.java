package msnscope.dissect;

import msnscope.dissect.spec.CommandSpec;
import msnscope.dissect.spec.ErrorSpec;
import msnscope.dissect.spec.FormSpec;
import msnscope.dissect.spec.FormSpec.Role;
import msnscope.dissect.spec.ParamSpec;
import msnscope.dissect.spec.ParamType;
import msnscope.dissect.spec.ProtocolSpec;
import msnscope.dissect.spec.VersionRange;
import msnscope.dissect.spec.VersionSet;
import msnscope.wire.Direction;
import msnscope.wire.Frame;
import msnscope.wire.PayloadOracle;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Dissects the frames of one connection, both directions, in the order they crossed the wire. Keeps the
 * connection's state (role, negotiated version, account, login stage, own status, outstanding requests
 * and challenge) and turns each {@link Frame} into a {@link Dissection}.
 *
 * <p>Not thread-safe: one connection's frames come from one event loop. {@link #oracle()} gives the
 * framers of this connection the payload rule for the version negotiated so far.
 */
public final class StreamDissector {

    /** Frames kept for relabelling (a connection turns out to be a dispatch server only at its XFR NS). */
    private static final int RELABEL_WINDOW = 64;
    /**
     * ...and at most this many of their bytes: the window holds the frames' bytes for the life of the
     * connection, and a thousand peers each opening with large payloads (or a streamed one's pieces) must
     * not pin megabytes each. Handshake frames, the ones relabelling is for, are far smaller.
     */
    private static final int RELABEL_BYTES = 16 * 1024;
    /** Outstanding requests kept per connection; older ones are reported unanswered early. */
    private static final int MAX_PENDING = 10_000;

    private final ProtocolSpec spec;
    private final SessionContext session;
    private final String streamId;
    private final ParamDecoder params;
    private final PayloadAnnotator payloads;
    private final ChallengeVerifier challenges;
    private final FormCandidates.Cache candidates;

    private int seq;
    private Role role;
    private boolean roleStated;
    private int version;
    private boolean versionInherited;
    /**
     * The versions this connection may be speaking while none is negotiated: the ones the client's
     * {@code VER} offered, or, with no {@code VER} seen (a capture that starts mid-session), the versions
     * every command so far fits — revised when a later command fits none of them.
     */
    private VersionSet possible = VersionSet.ALL;
    /** The client's {@code VER} was seen: {@link #possible} is its offer, not a guess. */
    private boolean offered;
    private String account;
    private String authStage;
    private String status;
    private String challenge;
    private boolean closed;
    private final Map<Long, Pending> pending = new HashMap<>();
    private final ArrayDeque<Pending> fifo = new ArrayDeque<>();
    private final List<Dissection> early = new ArrayList<>();
    private int earlyBytes;
    private final List<Dissection> closeNotes = new ArrayList<>();

    private static final class Pending {
        final Dissection request;
        final List<String> replies;
        boolean answered;

        Pending(Dissection request, List<String> replies) {
            this.request = request;
            this.replies = replies;
        }

        boolean acceptsReply(String cmd, boolean error) {
            return error || replies == null || replies.contains(cmd);
        }
    }

    public StreamDissector(Dissector dissector, SessionContext session, String streamId, Role initialRole) {
        this.spec = dissector.spec();
        this.session = session;
        this.streamId = streamId;
        this.params = dissector.params();
        this.payloads = dissector.payloads();
        this.challenges = dissector.challenges();
        this.candidates = dissector.candidates();
        this.role = initialRole;
        this.roleStated = initialRole != null;
    }

    /** The payload rule for this connection's framers, following the negotiated version. */
    public PayloadOracle oracle() {
        return (key, dir, tokens) -> spec.expectsPayload(key, dir, tokens, effectiveVersion());
    }

    public String streamId() {
        return streamId;
    }

    public Role role() {
        return role;
    }

    /** Negotiated (or inherited) version, 0 when unknown. */
    public int version() {
        return version;
    }

    /**
     * The versions the connection may be speaking: the negotiated one; before the server's {@code VER}
     * reply, the ones the client offered; with no {@code VER} seen, those all its commands so far fit.
     */
    public VersionSet possibleVersions() {
        return version > 0 ? VersionSet.single(version) : possible;
    }

    /**
     * The version lines are read in: the negotiated one, else the only one the client offered (a client
     * that sends {@code CVR} before the server's {@code VER} reply, as JML does, has already said which
     * version it speaks), else 0. A guess from commands alone is never taken for it.
     */
    private int effectiveVersion() {
        return version > 0 ? version : offered ? possible.only() : 0;
    }

    public String account() {
        return account;
    }

    public String authStage() {
        return authStage;
    }

    public String status() {
        return status;
    }

    /**
     * {@code n} frames of the connection went by undissected (a live analysis that had no room for them): the
     * next frame keeps its place, the {@code seq} a dissection of the whole connection gives it.
     */
    public void skip(int n) {
        seq += n;
    }

    /**
     * The frame's dissection. Never throws: the recorder, the index and every command take whatever this
     * returns, so a frame the dissector cannot handle (a bug) becomes a raw dissection with a
     * {@code dissector-failed} warning at its place in the connection, and the next frame is dissected as usual.
     */
    public Dissection dissect(Frame frame, Direction dir, Long timeMicros) {
        int at = seq;
        int kept = early.size();
        Integer v = version == 0 ? null : version;
        if (!RawDissections.fits(frame)) {
            return keep(RawDissections.misshapen(session.id(), streamId, seq++, timeMicros, dir, role, v, account, frame));
        }
        try {
            return dissectFrame(frame, dir, timeMicros);
        } catch (RuntimeException | StackOverflowError e) {
            seq = at + 1;
            while (early.size() > kept) {
                early.remove(early.size() - 1);
            }
            return keep(RawDissections.failed(session.id(), streamId, at, timeMicros, dir, role, v, account, frame, e));
        }
    }

    /** A dissection made outside {@link #dissectFrame}, remembered for relabelling like the others. */
    private Dissection keep(Dissection d) {
        if (early.size() < RELABEL_WINDOW) {
            early.add(d);
        }
        return d;
    }

    private Dissection dissectFrame(Frame frame, Direction dir, Long timeMicros) {
        List<Warning> warnings = new ArrayList<>();
        Map<String, Object> fields = new LinkedHashMap<>();
        frameWarnings(frame, warnings);
        String cmd = frame.command();
        if (closed) {
            warnings.add(new Warning(Warning.AFTER_CLOSE, "line after the connection was closed"));
        }
        if (cmd == null) {
            String summary = frame.has(Frame.PAYLOAD_PART) ? "Piece of a streamed payload (" + frame.size() + " bytes)"
                    : frame.has(Frame.LINE_TOO_LONG) ? "Piece of a line longer than " + frame.lineLength() + " bytes"
                    : "Not an MSNP command (" + frame.size() + " bytes)";
            if (!frame.has(Frame.LINE_TOO_LONG) && !frame.has(Frame.PAYLOAD_PART)) {
                warnings.add(new Warning(Warning.NOT_A_COMMAND, "line does not start with a command or error code"));
            }
            return record(frame, dir, timeMicros, null, null, List.of(), summary, fields, null, null, warnings);
        }
        String[] tokens = frame.lineTokens();
        boolean isError = frame.isError();
        CommandSpec command = isError ? null : spec.command(cmd);
        if (!isError && command == null) {
            warnings.add(new Warning(Warning.UNKNOWN_COMMAND, cmd + " is not in dissectors/"));
        }
        if (role == null && dir == Direction.C2S) {
            startRole(cmd, tokens, command);
        }
        FormSpec.Binding binding = isError ? select(spec.errorForms(), cmd, tokens, dir, warnings)
                : command == null ? null : select(command.forms(), cmd, tokens, dir, warnings);
        FormSpec form = binding == null ? null : binding.form();
        if (role == null && form != null) {
            guessRole(command, form, cmd, warnings);
        }

        // Display values of the parameters, by index in the form (what the summary shows).
        String[] display = binding == null ? null : new String[binding.form().params().size()];
        Long trid = null;
        if (binding != null) {
            trid = decodeParams(binding, fields, display, warnings);
        } else if (tokens.length > 1) {
            trid = parseTrid(tokens[1]);
        }

        String errorText = null;
        if (isError) {
            int code = Integer.parseInt(cmd);
            ErrorSpec e = spec.error(code);
            errorText = e == null ? "error " + code + " (not in dissectors/errors.yaml)"
                    : code + " " + (e.name() == null ? "" : e.name() + ": ") + e.meaning();
            if (e != null) {
                if (e.name() != null) {
                    fields.put("error-name", e.name());
                }
                fields.put("error-meaning", e.meaning());
                if (e.disconnects()) {
                    fields.put("error-disconnects", true);
                }
            }
            warnings.add(new Warning(Warning.ERROR_REPLY, errorText));
        }

        // The payload is decoded with the summary, on first read (see Dissection); its field and its
        // warnings keep their places.
        int payloadWarningsAt = warnings.size();
        boolean payloadField = frame.payloadLength() > 0;
        if (payloadField) {
            fields.put("payload", Dissection.PENDING);
        }

        Integer replyTo = null;
        Dissection answeredRequest = null;
        Pending answered = dir == Direction.S2C ? matchRequest(cmd, trid, isError, form) : null;
        if (answered != null) {
            replyTo = answered.request.seq();
            if (!answered.answered && timeMicros != null && answered.request.timeMicros() != null) {
                fields.put("latency-us", timeMicros - answered.request.timeMicros());
            }
            answered.answered = true;
            if (isError && ("USR".equals(answered.request.command()) || "ANS".equals(answered.request.command()))) {
                authStage = "failed (" + cmd + ")";
            }
            answeredRequest = answered.request;
        }

        updateState(cmd, tokens, dir, form, binding, frame, fields, warnings);

        List<String> paramList = params(tokens);
        Dissection d = record(frame, dir, timeMicros, cmd, trid, paramList, null, fields, replyTo, form, warnings);
        Dissection.deferred(d, new Summary(payloads, frame, cmd, command, binding, display, answeredRequest, errorText, tokens,
                payloadField, payloadWarningsAt));

        if (dir == Direction.C2S && form != null && trid != null && form.expectsReply()) {
            Pending p = new Pending(d, form.replies());
            if (form.fifo()) {
                fifo.add(p);
            } else {
                Pending previous = pending.put(trid, p);
                if (previous != null && !previous.answered) {
                    reportUnanswered(previous, "another request reused TrID " + trid + " before a reply");
                }
            }
            trimPending();
        } else if (dir == Direction.C2S && form != null && form.fifo() && form.expectsReply()) {
            fifo.add(new Pending(d, form.replies()));
            trimPending();
        }
        return d;
    }

    /** The end of the connection: requests still waiting are marked unanswered. Idempotent. */
    public List<Dissection> close() {
        if (!closed) {
            closed = true;
            closeNotes.clear();
            for (Pending p : pending.values()) {
                if (!p.answered) {
                    reportUnanswered(p, "no reply before the connection closed");
                }
            }
            for (Pending p : fifo) {
                if (!p.answered) {
                    reportUnanswered(p, "no reply before the connection closed");
                }
            }
            pending.clear();
            fifo.clear();
        }
        return List.copyOf(closeNotes);
    }

    public boolean closed() {
        return closed;
    }

    private void reportUnanswered(Pending p, String why) {
        p.request.addWarning(new Warning(Warning.UNANSWERED,
                p.request.command() + (p.request.trid() == null ? "" : " " + p.request.trid()) + " was not answered: " + why));
        // Only what close() finds is returned; requests dropped earlier by the bound are marked but not kept,
        // so a peer that never answers cannot grow this list.
        if (closed) {
            closeNotes.add(p.request);
        }
    }

    private void trimPending() {
        while (fifo.size() > MAX_PENDING) {
            Pending p = fifo.poll();
            if (!p.answered) {
                reportUnanswered(p, "too many requests outstanding");
            }
        }
        if (pending.size() > MAX_PENDING) {
            Iterator<Pending> it = pending.values().iterator();
            while (pending.size() > MAX_PENDING / 2 && it.hasNext()) {
                Pending p = it.next();
                it.remove();
                if (!p.answered) {
                    reportUnanswered(p, "too many requests outstanding");
                }
            }
        }
    }

    private Pending matchRequest(String cmd, Long trid, boolean isError, FormSpec form) {
        if (trid != null && trid != 0) {
            Pending p = pending.get(trid);
            if (p != null && p.acceptsReply(cmd, isError)) {
                return p;
            }
        }
        if (trid == null || trid == 0) {
            for (Pending p : fifo) {
                if (!p.answered && p.acceptsReply(cmd, false)) {
                    fifo.remove(p);
                    return p;
                }
            }
        }
        return null;
    }

    private static void frameWarnings(Frame frame, List<Warning> w) {
        if (frame.has(Frame.BARE_LF)) {
            w.add(new Warning(Warning.BARE_LF, "line ends with a bare LF instead of CR LF"));
        }
        if (frame.has(Frame.LINE_TOO_LONG)) {
            w.add(new Warning(Warning.LINE_TOO_LONG, "line longer than the limit; split into pieces"));
        }
        if (frame.has(Frame.LINE_TRUNCATED)) {
            w.add(new Warning(Warning.LINE_TRUNCATED, "the stream ended before the end of this line"));
        }
        if (frame.has(Frame.PAYLOAD_TRUNCATED)) {
            w.add(new Warning(Warning.PAYLOAD_TRUNCATED, "the stream ended after " + frame.payloadLength() + " of "
                    + frame.declaredLength() + " payload bytes"));
        } else if (frame.hasPayload() && frame.payloadLength() != frame.declaredLength()) {
            w.add(new Warning(Warning.PAYLOAD_LENGTH_MISMATCH, "declared " + frame.declaredLength() + " payload bytes, found "
                    + frame.payloadLength()));
        }
        if (frame.has(Frame.PAYLOAD_STREAMED)) {
            w.add(new Warning(Warning.PAYLOAD_TOO_LARGE, (frame.has(Frame.PAYLOAD_TOO_LARGE)
                    ? "declared payload length is above the payload limit (--max-payload)"
                    : "no room to buffer this payload (the proxy's --max-buffered budget is in use)")
                    + "; the payload was relayed unchanged but streamed through undissected in the frames that follow"));
        } else if (frame.has(Frame.PAYLOAD_TOO_LARGE)) {
            w.add(new Warning(Warning.PAYLOAD_TOO_LARGE, "declared payload length is above the limit; payload not taken"));
        }
        if (frame.has(Frame.PAYLOAD_PART)) {
            w.add(new Warning(Warning.PAYLOAD_TOO_LARGE, "payload bytes of a streamed payload (see the line before it); "
                    + "relayed unchanged, not dissected, never read as commands"));
        }
        if (!frame.lineIsUtf8()) {
            w.add(new Warning(Warning.INVALID_UTF8, "line is not valid UTF-8"));
        }
    }

    /** The first client line says what the connection is: VER opens a DS/NS login, USR/ANS a switchboard. */
    private void startRole(String cmd, String[] tokens, CommandSpec command) {
        if (seq > 0) {
            return;
        }
        if (cmd.equals("VER")) {
            role = Role.NS;
            roleStated = true;
        } else if (cmd.equals("ANS") || (cmd.equals("USR") && tokens.length == 4 && !tokens[3].equals("I") && !tokens[3].equals("S")
                && tokens[2].contains("@"))) {
            role = Role.SB;
            roleStated = true;
        }
    }

    private void guessRole(CommandSpec command, FormSpec form, String cmd, List<Warning> warnings) {
        Role guess = null;
        if (command != null && command.switchboardOnly()) {
            guess = Role.SB;
        } else if (command != null && command.neverOnSwitchboard()) {
            guess = Role.NS;
        } else if (form.servers().size() == 1) {
            guess = form.servers().iterator().next();
        }
        if (guess != null) {
            role = guess;
            warnings.add(new Warning(Warning.ROLE_GUESSED, "connection did not start with VER, USR or ANS (capture starts mid-session?): "
                    + "role guessed as " + guess + " from " + cmd));
        }
    }

    private FormSpec.Binding select(List<FormSpec> forms, String cmd, String[] tokens, Direction dir, List<Warning> warnings) {
        int version = effectiveVersion();
        FormCandidates c = candidates.of(cmd, forms, dir, role, version);
        if (c.wrongDirection() != null) {
            warnings.add(c.wrongDirection(cmd, dir));
        }
        if (c.wrongServer() != null) {
            warnings.add(c.wrongServer(cmd, role));
        }
        List<FormSpec> byRole = c.byRole();
        FormSpec.Binding best = null;
        if (version > 0) {
            List<FormSpec> byVersion = c.byVersion();
            best = best(c.versionScorers(), tokens);
            if (best == null || !best.exact()) {
                FormSpec.Binding other = best(c.roleScorers(), tokens);
                if (other != null && other.exact()) {
                    warnings.add(new Warning(Warning.VERSION_MISMATCH, (byVersion.isEmpty() ? cmd + " is" : "this form of " + cmd + " is")
                            + " not in MSNP" + version + " (declared for " + other.form().versions() + ")"));
                    best = other;
                } else if (best == null) {
                    warnings.add(new Warning(Warning.VERSION_MISMATCH, cmd + " is not in MSNP" + version + " (declared for "
                            + span(byRole) + ")"));
                    best = other;
                }
            }
        } else {
            if (!offered && !versionInherited) {
                guessVersion(cmd, tokens, c.roleScorers(), warnings);
            }
            best = bestWithin(c.roleScorers(), tokens, possible);
        }
        if (best != null && !best.exact()) {
            FormSpec.Binding any = best(c.directionScorers(), tokens);
            if (any != null && any.exact()) {
                best = any;
            } else {
                warnings.add(new Warning(Warning.ARITY, cmd + " with " + (tokens.length - 1) + " parameters matches no declared form; closest: "
                        + describe(best.form())));
            }
        }
        return best;
    }

    /**
     * Narrows {@link #possible} to the versions of every form the line fits (not only the best one: a
     * {@code QNG 60} fits the MSNP2–8 and the MSNP9+ forms alike, so it says nothing). A line that fits
     * none of the versions guessed so far revises the guess to its own: a command is firmer evidence of
     * a newer version than the absence of an optional parameter was of an older one.
     */
    private void guessVersion(String cmd, String[] tokens, FormSpec.Scorer[] scorers, List<Warning> warnings) {
        VersionSet clean = VersionSet.NONE;
        VersionSet exact = VersionSet.NONE;
        for (FormSpec.Scorer s : scorers) {
            FormSpec.Binding b = s.bind(tokens, 1);
            if (b.exact()) {
                exact = exact.union(s.form().versions());
                if (b.misfits() == 0) {
                    clean = clean.union(s.form().versions());
                }
            }
        }
        VersionSet fits = clean.isEmpty() ? exact : clean;
        if (fits.isEmpty()) {
            return;
        }
        VersionSet narrowed = possible.intersect(fits);
        if (narrowed.isEmpty()) {
            warnings.add(new Warning(Warning.VERSION_GUESSED, "no VER seen on this connection: " + cmd + " is only in " + fits
                    + ", not in " + possible + " that the commands before it fit; guess revised to " + fits));
            possible = fits;
        } else if (!narrowed.equals(possible)) {
            possible = narrowed;
            warnings.add(new Warning(Warning.VERSION_GUESSED, "no VER seen on this connection: the commands so far fit " + narrowed));
        }
    }

    /** The best form among those in {@code versions} when one of them fits exactly, else the best of all. */
    private static FormSpec.Binding bestWithin(FormSpec.Scorer[] forms, String[] tokens, VersionSet versions) {
        if (versions.equals(VersionSet.ALL)) {
            return best(forms, tokens);
        }
        List<FormSpec.Scorer> in = new ArrayList<>(forms.length);
        for (FormSpec.Scorer s : forms) {
            if (versions.overlaps(s.form().versions())) {
                in.add(s);
            }
        }
        if (in.size() < forms.length) {
            FormSpec.Binding b = best(in.toArray(new FormSpec.Scorer[0]), tokens);
            if (b != null && b.exact()) {
                return b;
            }
        }
        return best(forms, tokens);
    }

    private static String span(List<FormSpec> forms) {
        int lo = VersionRange.MAX;
        int hi = 0;
        for (FormSpec f : forms) {
            lo = Math.min(lo, f.versions().low());
            hi = Math.max(hi, f.versions().high());
        }
        return lo > hi ? "no version" : new VersionRange(lo, hi).toString();
    }

    private static String describe(FormSpec f) {
        StringBuilder sb = new StringBuilder(f.command().equals("ERR") ? "NNN" : f.command());
        for (ParamSpec p : f.params()) {
            sb.append(' ').append(p.name());
            if (!p.literals().isEmpty()) {
                sb.append('=').append(String.join("|", p.literals()));
            }
            switch (p.arity()) {
                case OPTIONAL -> sb.append('?');
                case ZERO_OR_MORE -> sb.append('*');
                case ONE_OR_MORE -> sb.append('+');
                default -> { }
            }
        }
        return sb.append(" (").append(f.versions()).append(')').toString();
    }

    /**
     * The best-scoring form (the first of equals), bound; only the winner is bound. Literals and arity bound
     * each form's score cheaply; the form with the best bound is scored in full first, and another only when
     * its bound could still beat (or tie, being earlier) the best so far: a usual line scores one form in full.
     */
    private static FormSpec.Binding best(FormSpec.Scorer[] forms, String[] tokens) {
        int n = forms.length;
        if (n == 0) {
            return null;
        }
        if (n == 1) {
            return forms[0].bind(tokens, 1);
        }
        int best = 0;
        int bestBound = forms[0].bound(tokens, 1);
        for (int i = 1; i < n; i++) {
            int bound = forms[i].bound(tokens, 1);
            if (bound > bestBound) {
                best = i;
                bestBound = bound;
            }
        }
        int bestScore = forms[best].score(tokens, 1);
        for (int i = 0; i < n; i++) {
            if (i == best) {
                continue;
            }
            int bound = forms[i].bound(tokens, 1);
            if (bound < bestScore || bound == bestScore && i > best) {
                continue;
            }
            // Exact when it can win: above bestScore, or equal to it from an earlier form.
            int toBeat = i < best ? bestScore - 1 : bestScore;
            int score = forms[i].score(tokens, 1, toBeat);
            if (score > toBeat) {
                best = i;
                bestScore = score;
            }
        }
        return forms[best].bind(tokens, 1);
    }

    private Long decodeParams(FormSpec.Binding b, Map<String, Object> fields, String[] display, List<Warning> warnings) {
        Long trid = null;
        List<ParamSpec> ps = b.form().params();
        for (int i = 0; i < ps.size(); i++) {
            ParamSpec p = ps.get(i);
            int n = b.count()[i];
            if (n == 0) {
                continue;
            }
            if (p.arity().repeats()) {
                List<Object> values = new ArrayList<>(n);
                StringBuilder shown = new StringBuilder();
                for (int k = 0; k < n; k++) {
                    ParamDecoder.Value v = params.decode(p, b.tokens()[b.start()[i] + k], fields);
                    values.add(v.json());
                    shown.append(k == 0 ? "" : " ").append(v.display());
                    problem(p, v, warnings);
                }
                if (p.type() != ParamType.PREFIXED) {
                    fields.put(p.name(), values);
                }
                display[i] = shown.toString();
            } else {
                String token = b.tokens()[b.start()[i]];
                ParamDecoder.Value v = params.decode(p, token, fields);
                problem(p, v, warnings);
                if (p.type() != ParamType.PREFIXED) {
                    fields.put(p.name(), v.json());
                }
                display[i] = v.display();
                if (p.type() == ParamType.TRID && trid == null && v.json() instanceof Long l) {
                    trid = l;
                }
            }
        }
        return trid;
    }

    private static void problem(ParamSpec p, ParamDecoder.Value v, List<Warning> warnings) {
        if (v.problem() != null) {
            warnings.add(new Warning(Warning.BAD_PARAMETER, p.name() + ": " + v.problem()));
        }
    }

    /**
     * True for the commands that settle what a connection is: its role, negotiated version and account
     * ({@code VER}, {@code CVR}, {@code USR}, {@code ANS}: see {@link #startRole} and {@link #updateState}).
     * A proxy that shows no frame dissects only these (and the referrals it must rewrite), which is all its
     * rewriting and its recorder's stitching depend on.
     */
    public static boolean settlesLogin(String command) {
        return command != null && switch (command) {
            case "VER", "CVR", "USR", "ANS" -> true;
            default -> false;
        };
    }

    private void updateState(String cmd, String[] t, Direction dir, FormSpec form, FormSpec.Binding binding, Frame frame,
                             Map<String, Object> fields, List<Warning> warnings) {
        switch (cmd) {
            case "VER" -> {
                if (dir == Direction.C2S && version == 0) {
                    VersionSet offer = VersionSet.NONE;
                    for (int i = 2; i < t.length; i++) {
                        offer = offer.union(VersionSet.single(versionNumber(t[i])));
                    }
                    if (!offer.isEmpty()) {
                        possible = offer;
                        offered = true;
                    }
                }
                if (dir == Direction.S2C && t.length > 2) {
                    int v = versionNumber(t[2]);
                    if (v > 0) {
                        version = v;
                        versionInherited = false;
                        session.negotiated(v);
                    }
                }
            }
            case "CVR" -> {
                if (dir == Direction.C2S && t.length > 1 && t[t.length - 1].contains("@")) {
                    setAccount(t[t.length - 1]);
                }
            }
            case "USR" -> {
                if (dir == Direction.C2S && t.length >= 5 && t[3].equals("I")) {
                    setAccount(t[4]);
                    authStage = t[2] + " initial";
                } else if (dir == Direction.C2S && t.length >= 4 && t[3].equals("S")) {
                    authStage = t[2] + " response";
                } else if (dir == Direction.S2C && t.length >= 4 && t[2].equals("OK")) {
                    setAccount(t[3]);
                    authStage = role == Role.SB ? "joined switchboard" : "logged in";
                } else if (dir == Direction.S2C && t.length >= 4 && t[3].equals("S")) {
                    authStage = t[2] + " challenge";
                } else if (dir == Direction.C2S && role == Role.SB && t.length >= 4) {
                    setAccount(t[2]);
                    inherit(t[3]);
                    authStage = "switchboard cookie";
                }
            }
            case "ANS" -> {
                if (dir == Direction.S2C && t.length >= 3 && t[2].equals("OK")) {
                    authStage = "joined switchboard";
                } else if (dir == Direction.C2S && t.length >= 4) {
                    setAccount(t[2]);
                    inherit(t[3]);
                    authStage = "switchboard cookie";
                }
            }
            case "CHG" -> {
                if (t.length > 2) {
                    status = t[2];
                }
            }
            case "CHL" -> {
                if (dir == Direction.S2C && t.length > 2) {
                    challenge = t[t.length - 1];
                }
            }
            case "QRY" -> {
                if (dir == Direction.C2S && frame.hasPayload() && t.length > 2) {
                    challenges.verify(challenge, t[2], frame.payload(), version, fields, warnings);
                    challenge = null;
                }
            }
            default -> { }
        }
        if (form != null && form.referral() != null && dir == Direction.S2C) {
            String address = binding.token(form.referral().address());
            String cookie = form.referral().cookie() == null ? null : binding.token(form.referral().cookie());
            Map<String, Object> ref = new LinkedHashMap<>();
            ref.put("kind", form.referral().kind());
            ref.put("address", address);
            if (cookie != null) {
                ref.put("cookie", cookie);
            }
            fields.put("referral", ref);
            session.referral(cookie, version);
            Long trid = binding.token("trid") == null ? null : parseTrid(binding.token("trid"));
            if (form.referral().kind().equals("NS") && role == Role.NS && trid != null && trid != 0 && !"0".equals(address)) {
                relabel(Role.DS);
            }
        }
    }

    private void inherit(String cookie) {
        if (version == 0) {
            int v = session.versionForCookie(cookie);
            if (v == 0) {
                v = session.version();
            }
            if (v > 0) {
                version = v;
                versionInherited = true;
            }
        }
    }

    private void setAccount(String handle) {
        String h = handle;
        int semi = h.indexOf(';');
        if (semi >= 0) {
            h = h.substring(0, semi);
        }
        int colon = h.indexOf(':');
        if (colon >= 0 && colon < h.indexOf('@')) {
            h = h.substring(colon + 1);
        }
        if (h.contains("@")) {
            account = h;
            session.account(h);
        }
    }

    private void relabel(Role newRole) {
        role = newRole;
        for (Dissection d : early) {
            d.relabel(newRole);
        }
    }

    /** {@code 11} for {@code MSNP11}; 0 for anything that is not a protocol version. */
    public static int versionNumber(String token) {
        if (token.startsWith("MSNP")) {
            try {
                return Integer.parseInt(token.substring(4));
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return 0;
    }

    /**
     * What a summary template's {@code {name}} shows: {@code error}, {@code payload} and {@code answers} when
     * set, else the display value of the (last bound) parameter of that name, else the field's value.
     */
    private record Display(FormSpec.Binding binding, String[] values, String answers, String payload, String error,
                           Map<String, Object> fields) implements java.util.function.Function<String, String> {
        @Override
        public String apply(String name) {
            String v = null;
            if (error != null && name.equals("error")) {
                v = error;
            } else if (payload != null && name.equals("payload")) {
                v = payload;
            } else if (answers != null && name.equals("answers")) {
                v = answers;
            } else if (binding != null) {
                List<ParamSpec> ps = binding.form().params();
                int[] count = binding.count();
                for (int i = ps.size() - 1; i >= 0; i--) {
                    if (count[i] > 0 && ps.get(i).name().equals(name)) {
                        v = values[i];
                        break;
                    }
                }
            }
            if (v == null) {
                Object f = fields.get(name);
                v = f == null ? null : String.valueOf(f);
            }
            return v;
        }
    }

    /**
     * The part of a frame's dissection only readers use, made on first read: the decoded payload (its field
     * and warnings, in the places the dissector kept for them) and the summary. Everything it reads is fixed
     * when the frame is dissected, so it gives what it would have given then.
     */
    private record Summary(PayloadAnnotator payloads, Frame frame, String cmd, CommandSpec command, FormSpec.Binding binding,
                           String[] display, Dissection answered, String errorText, String[] tokens, boolean payloadField,
                           int payloadWarningsAt) implements Dissection.Deferred {

        @Override
        public String complete(Map<String, Object> fields, List<Warning> warnings) {
            FormSpec form = binding == null ? null : binding.form();
            String payloadSummary = null;
            try {
                if (frame.hasPayload()) {
                    // Straight into the list when nothing came after the payload's place (the usual case).
                    boolean atEnd = payloadWarningsAt == warnings.size();
                    List<Warning> found = atEnd ? warnings : new ArrayList<>(4);
                    payloadSummary = payloads.annotate(frame, form, fields, found);
                    if (!atEnd) {
                        warnings.addAll(payloadWarningsAt, found);
                    }
                }
                if (payloadField && fields.get("payload") == Dissection.PENDING) {
                    fields.remove("payload");
                }
                String answers = answered == null ? null
                        : answered.command() + (answered.trid() == null ? "" : " " + answered.trid());
                Display shown = form != null && form.summary() != null
                        ? new Display(binding, display, answers, payloadSummary, errorText, fields) : null;
                return summarize(cmd, command, form, shown, errorText != null, errorText, payloadSummary, tokens);
            } catch (RuntimeException | StackOverflowError e) {
                // As dissect() does for the eager part: a bug in a decoder costs this frame its summary, no more.
                fields.remove("payload");
                warnings.add(new Warning(Warning.DISSECTOR_FAILED, RawDissections.failure(e)));
                return RawDissections.SUMMARY;
            }
        }
    }

    private static String summarize(String cmd, CommandSpec command, FormSpec form, Display display,
                                    boolean isError, String errorText, String payloadSummary, String[] tokens) {
        String s;
        if (form != null && form.summary() != null) {
            s = form.summary().render(display);
        } else if (isError) {
            s = "Error " + errorText;
        } else {
            String meaning = form != null && form.meaning() != null ? form.meaning()
                    : command != null && command.meaning() != null ? command.meaning() : "Unknown command " + cmd;
            StringBuilder sb = new StringBuilder(meaning);
            if (tokens.length > 1) {
                sb.append(':');
                for (int i = 1; i < tokens.length; i++) {
                    sb.append(' ').append(tokens[i]);
                }
            }
            s = sb.toString();
        }
        if (isError && form != null && form.summary() != null && !s.contains(errorText)) {
            s = "Error " + errorText + (s.isEmpty() ? "" : " — " + s);
        }
        if (payloadSummary != null && (form == null || form.summary() == null || !form.summary().uses("payload"))) {
            s = s + " — " + payloadSummary;
        }
        return s;
    }

    private Dissection record(Frame frame, Direction dir, Long time, String cmd, Long trid, List<String> params, String summary,
                              Map<String, Object> fields, Integer replyTo, FormSpec form, List<Warning> warnings) {
        if (!roleStated && role != null) {
            roleStated = true;
        }
        Dissection d = new Dissection(session.id(), streamId, seq++, time, dir, role, version == 0 ? null : version, account, frame,
                cmd, trid, params, summary, fields, replyTo, form, warnings);
        if (early.size() < RELABEL_WINDOW && earlyBytes + frame.size() <= RELABEL_BYTES) {
            early.add(d);
            earlyBytes += frame.size();
        }
        return d;
    }

    /** The tokens after the command; immutable already, so a Dissection keeps the list as it is. */
    static List<String> params(String[] tokens) {
        return tokens.length > 1 ? new Params(tokens) : List.of();
    }

    /**
     * The tokens after the command, read-only, over the token array itself (nothing writes to it once the
     * line is split), so a frame's parameters are not copied twice on the way to its Dissection.
     */
    static final class Params extends java.util.AbstractList<String> implements java.util.RandomAccess {
        private final String[] tokens;

        Params(String[] tokens) {
            this.tokens = tokens;
        }

        @Override
        public String get(int index) {
            java.util.Objects.checkIndex(index, tokens.length - 1);
            return tokens[index + 1];
        }

        @Override
        public int size() {
            return tokens.length - 1;
        }
    }


    private static Long parseTrid(String s) {
        return ParamDecoder.trid(s);
    }
}
