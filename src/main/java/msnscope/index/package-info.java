/**
 * The Lucene index of the capture store, derived from the capture files: {@link msnscope.index.IndexFields}
 * (the field table and analyzers), {@link msnscope.index.FrameDocuments} (documents from dissected frames),
 * {@link msnscope.index.CaptureIndex} (following the files, near-real-time refresh, catch-up, reindex,
 * delete) and {@link msnscope.index.LiveCapture} (recorder plus live index, what the proxy attaches).
 */
package msnscope.index;
