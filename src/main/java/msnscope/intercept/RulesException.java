package msnscope.intercept;

/**
 * A rules file that cannot be used: the message is one line naming the file and, when it is about one rule,
 * the rule ({@code rules.yaml rule 3 (match 'cmd:JOI'): delay must be a duration like 3s or 250ms, not "soon"}).
 */
public final class RulesException extends Exception {
    public RulesException(String message) {
        // One line whatever a parser's reason holds: the proxy prints it as the one line of its refusal.
        super(message.replaceAll("\\s*\\R\\s*", " "));
    }
}
