package msnscope.intercept;

/** A side of a proxied connection: where an injected frame goes, which side a close ends. */
public enum Side {
    CLIENT, SERVER, BOTH
}
