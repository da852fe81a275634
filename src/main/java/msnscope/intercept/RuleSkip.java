package msnscope.intercept;

/**
 * A rule matched a frame but cannot act on it (its template names a value the frame lacks, its line is not
 * UTF-8): the rule does not apply to that frame, which goes on as the other rules leave it.
 */
final class RuleSkip extends Exception {
    RuleSkip(String why) {
        super(why, null, false, false);
    }
}
