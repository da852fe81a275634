/**
 * Searching the index: {@link msnscope.search.MsnQueryParser} (Lucene syntax over the index's fields, numeric
 * and time ranges, one-line errors), {@link msnscope.search.FrameSearch} (sort, time window, highlighting,
 * counts by field) and {@link msnscope.search.Times} (dates and ages people type).
 */
package msnscope.search;
