package msnscope.index;

import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.MultiBits;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.util.Bits;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Reads back what an index holds, for comparing two indexes document by document. */
public final class IndexTestSupport {

    private IndexTestSupport() {
    }

    /** The stored JSON of every live document, sorted. */
    public static List<String> documents(CaptureIndex index) throws IOException {
        IndexSearcher s = index.acquire();
        try {
            IndexReader r = s.getIndexReader();
            Bits live = MultiBits.getLiveDocs(r);
            List<String> out = new ArrayList<>();
            for (int i = 0; i < r.maxDoc(); i++) {
                if (live == null || live.get(i)) {
                    out.add(FrameDocuments.json(r.storedFields().document(i)));
                }
            }
            Collections.sort(out);
            return out;
        } finally {
            index.release(s);
        }
    }
}
