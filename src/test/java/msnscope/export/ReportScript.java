package msnscope.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static msnscope.export.ExportTestSupport.byClass;
import static msnscope.export.ExportTestSupport.byId;
import static msnscope.export.ExportTestSupport.elements;

/**
 * Runs the report's own script under Node.js against the report's rows and selects, with a URL query,
 * and says what the filters ended up showing. The stand-in DOM keeps the one browser rule the filters
 * depend on: a select set to a value none of its options has selects nothing (value "").
 */
final class ReportScript {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String DOM = """
            function el(tag,attrs,text){var e={tagName:tag,attrs:attrs||{},textContent:text||'',hidden:false,checked:false,
              getAttribute:function(n){return this.attrs[n]===undefined?null:this.attrs[n];},addEventListener:function(){},
              dispatchEvent:function(){},scrollIntoView:function(){},appendChild:function(c){this.options.push(c);}};
              if(tag==='select'){e.options=[];e.selectedIndex=-1;Object.defineProperty(e,'value',{
                get:function(){return this.selectedIndex<0?'':this.options[this.selectedIndex].value;},
                set:function(v){this.selectedIndex=-1;for(var i=0;i<this.options.length;i++){if(this.options[i].value===v){this.selectedIndex=i;break;}}}});}
              else{e.value='';}
              return e;}
            var page=JSON.parse(require('fs').readFileSync(0,'utf8'));
            var ids={};['q','fwarn','fopen','count','none','freset','timeline'].forEach(function(i){ids[i]=el('x');});
            ['fcmd','fconn'].forEach(function(i){var s=el('select');page[i].forEach(function(v){var o=el('option');o.value=v;s.options.push(o);});
              s.selectedIndex=0;ids[i]=s;});
            var rows=page.rows.map(function(r){return el('tr',r,r.text);}),seps=page.seps.map(function(c){return el('tr',{'data-conn':c});});
            global.document={getElementById:function(i){return ids[i]||null;},createElement:function(t){return el(t);},
              querySelectorAll:function(s){return s==='tr.frame'?rows:s==='tr.sep'?seps:[];}};
            global.window={addEventListener:function(){}};
            global.location={search:page.search,hash:''};
            global.Event=function(){};
            """;

    private static final String REPORT = """
            console.log(JSON.stringify({cmd:ids.fcmd.value,conn:ids.fconn.value,warn:ids.fwarn.checked,
              shown:rows.filter(function(r){return !r.hidden;}).map(function(r){return r.attrs['data-cmd'];})}));
            """;

    private ReportScript() {
    }

    static boolean nodeAvailable() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {cmd, conn, warn, shown: the data-cmd of each row left visible} after the script ran with {@code search}. */
    static JsonNode run(Document doc, String search, Path work) throws Exception {
        ObjectNode page = JSON.createObjectNode();
        page.put("search", search);
        ArrayNode rows = page.putArray("rows");
        for (Element r : byClass(doc, "tr", "frame")) {
            ObjectNode o = rows.addObject();
            for (String a : new String[] {"data-cmd", "data-conn", "data-warn"}) {
                if (r.hasAttribute(a)) {
                    o.put(a, r.getAttribute(a));
                }
            }
            o.put("text", r.getTextContent());
        }
        ArrayNode seps = page.putArray("seps");
        byClass(doc, "tr", "sep").forEach(s -> seps.add(s.getAttribute("data-conn")));
        for (String select : new String[] {"fcmd", "fconn"}) {
            ArrayNode values = page.putArray(select);
            for (Element o : elements(doc, "option")) {
                if (o.getParentNode() == byId(doc, select)) {
                    values.add(o.getAttribute("value"));
                }
            }
        }
        String script = elements(doc, "script").get(0).getTextContent();
        Path js = work.resolve("report.js");
        Files.writeString(js, DOM + script + "\n" + REPORT, StandardCharsets.UTF_8);
        Process p = new ProcessBuilder("node", js.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        p.getOutputStream().write(JSON.writeValueAsBytes(page));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("the report's script failed under node: " + out);
        }
        return JSON.readTree(out);
    }
}
