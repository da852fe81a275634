/**
 * Writing sessions out: the JSON Lines contract ({@link msnscope.export.FrameJson}), the text view
 * ({@link msnscope.export.TextFormat}), the self-contained HTML report ({@link msnscope.export.HtmlExport}),
 * redaction ({@link msnscope.export.Redactor}, {@link msnscope.export.RedactMode}) and the facade other
 * commands call ({@link msnscope.export.SessionExporter} with {@link msnscope.export.SessionMeta}).
 *
 * <p>Redaction works on frames, not on output: the redacted frames are dissected again and every format
 * renders from that second dissection, so no field, summary, warning or raw line can carry a hidden value.
 */
package msnscope.export;
