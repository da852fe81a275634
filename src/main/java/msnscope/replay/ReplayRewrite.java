package msnscope.replay;

import msnscope.dissect.Dissection;
import msnscope.dissect.spec.FormSpec;
import msnscope.dissect.spec.ParamSpec;
import msnscope.dissect.spec.ParamType;
import msnscope.wire.Frame;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A captured client frame as the live session needs it: a fresh TrID, the values the live server chose
 * (carried), and the login steps answered for real where a password or a product key allows (the MD5
 * response, the Passport ticket, the {@code QRY} answer to the live challenge). Everything else is sent as
 * captured, byte for byte in the payload.
 */
final class ReplayRewrite {

    /** What to send, and what the report should say about it (null: nothing). */
    record Outgoing(Frame frame, String line, String note) {
    }

    private final ReplayCarry carry;
    private final LoginResponder logins;

    ReplayRewrite(ReplayCarry carry, LoginResponder logins) {
        this.carry = carry;
        this.logins = logins;
    }

    Outgoing rewrite(ScriptFrame captured, ReplayConnection live) {
        Frame frame = captured.frame();
        FormSpec form = captured.dissection().form();
        if (frame.command() == null || form == null) {
            return new Outgoing(frame, frame.line(), null);
        }
        String[] tokens = frame.lineTokens().clone();
        FormSpec.Binding b = form.bind(tokens, 1);
        if (!b.exact()) {
            return new Outgoing(frame, frame.line(), null);
        }
        List<ParamSpec> params = form.params();
        int lengthAt = -1;
        for (int i = 0; i < params.size(); i++) {
            ParamSpec p = params.get(i);
            if (b.count()[i] != 1) {
                continue;
            }
            int at = b.start()[i];
            if (p.type() == ParamType.TRID && tokens[at].chars().allMatch(Character::isDigit) && !tokens[at].equals("0")) {
                tokens[at] = Long.toString(live.nextTrid());
            } else if (p.type() == ParamType.LENGTH) {
                lengthAt = at;
            } else {
                tokens[at] = carry.apply(captured.source(), p.name(), tokens[at]);
            }
        }
        byte[] payload = frame.hasPayload() ? frame.payload() : null;
        String note = null;
        String account = captured.connection().account() != null ? captured.connection().account() : captured.connection().login().account();
        String cmd = frame.command();
        if (cmd.equals("USR") && "S".equals(b.token("step"))) {
            String pkg = b.token("package");
            Dissection usr = live.last("USR");
            String salt = usr == null ? null : token(usr, "challenge");
            String passport = usr == null ? null : token(usr, "passport-params");
            if ("MD5".equals(pkg) && salt != null) {
                String response = logins.md5(account, salt);
                if (response != null) {
                    tokens[index(b, "response")] = response;
                } else {
                    note = noPassword(account, "response");
                }
            } else if ("TWN".equals(pkg) && passport != null) {
                try {
                    String ticket = logins.ticket(account, passport);
                    if (ticket != null) {
                        tokens[index(b, "ticket")] = ticket;
                    } else {
                        note = noPassword(account, "ticket");
                    }
                } catch (PassportException e) {
                    note = e.getMessage() + "; the captured ticket was sent";
                }
            }
        } else if (cmd.equals("QRY") && payload != null) {
            Dissection chl = live.last("CHL");
            String challenge = chl == null ? null : token(chl, "challenge");
            String answer = challenge == null ? null : logins.qry(challenge, b.token("product-id"), live.version());
            if (answer != null) {
                payload = answer.getBytes(StandardCharsets.US_ASCII);
            } else if (challenge != null) {
                note = "dissectors/challenge.yaml has no key for product " + b.token("product-id") + " or no algorithm for MSNP"
                        + live.version() + ": the captured answer was sent";
            }
        }
        if (lengthAt >= 0 && payload != null) {
            tokens[lengthAt] = Integer.toString(payload.length);
        }
        byte[] lineBytes = join(frame, tokens);
        Frame out = Frame.of(lineBytes, frame.has(Frame.BARE_LF), payload, payload == null ? -1 : payload.length, cmd, 0);
        return new Outgoing(out, new String(lineBytes, StandardCharsets.UTF_8), note);
    }

    /**
     * The line with the changed tokens in place, every other token byte for byte as captured: an old client's
     * Latin-1 nick must reach the server as it was, not as UTF-8 decoding and encoding would leave it.
     */
    private static byte[] join(Frame frame, String[] tokens) {
        String[] captured = frame.lineTokens();
        String[] raw = Frame.split(new String(frame.lineBytes(), StandardCharsets.ISO_8859_1));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(frame.lineLength() + 16);
        for (int i = 0; i < tokens.length; i++) {
            if (i > 0) {
                out.write(' ');
            }
            boolean same = i < raw.length && tokens[i].equals(captured[i]);
            out.writeBytes(same ? raw[i].getBytes(StandardCharsets.ISO_8859_1) : tokens[i].getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    private static String noPassword(String account, String what) {
        return "no --password for " + account + ": the captured " + what + " was sent (only a server that checks nothing, like serve, accepts it)";
    }

    private static int index(FormSpec.Binding b, String name) {
        List<ParamSpec> ps = b.form().params();
        for (int i = 0; i < ps.size(); i++) {
            if (ps.get(i).name().equals(name)) {
                return b.start()[i];
            }
        }
        throw new IllegalArgumentException("form has no parameter " + name);
    }

    /** A parameter's token in a live frame, by its own form; null when it has none. */
    static String token(Dissection d, String name) {
        FormSpec f = d.form();
        if (f == null) {
            return null;
        }
        return f.bind(d.frame().lineTokens(), 1).token(name);
    }
}
