package msnscope.dissect.payload;

import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.EntityResolver;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXParseException;

/**
 * The JDK DOM parser, configured for untrusted bytes from the wire.
 *
 * <p>No DTD at all (a {@code <!DOCTYPE} is an error: that rules out entity expansion bombs and external
 * entities in one step), no external DTDs, schemas or XIncludes (so never any file or network access), the
 * JDK's secure-processing limits, an element depth limit of {@value #MAX_DEPTH}, and input of at most
 * {@value #MAX_BYTES} bytes. Errors are returned as a sentence, never thrown, and nothing is printed
 * (the default error handler writes to stderr).
 */
final class SafeXml {

    /** Largest XML accepted, in bytes. NS XML payloads are a few KB; 256 KiB leaves ample room. */
    static final int MAX_BYTES = 256 * 1024;

    /** Deepest element nesting accepted; MSNP XML is at most about six levels deep. */
    static final int MAX_DEPTH = 64;

    /** Longest parser message quoted in a problem: enough to say what and where, not a paragraph. */
    private static final int MAX_MESSAGE = 120;

    /**
     * One builder per thread, reset after each document: creating a builder costs more than parsing a
     * typical payload. {@code reset()} keeps the factory's features but restores the default handlers
     * (which print to stderr), so ours are set again before every parse.
     */
    private static final ThreadLocal<DocumentBuilder> BUILDER = ThreadLocal.withInitial(SafeXml::newBuilder);

    private SafeXml() {
    }

    /** A parsed document, or the reason there is none. */
    record Parsed(Document document, String error) {
        boolean ok() {
            return document != null;
        }
    }

    static Parsed parse(byte[] xml) {
        if (xml.length > MAX_BYTES) {
            return new Parsed(null, "XML of " + xml.length + " bytes exceeds the " + MAX_BYTES + "-byte limit; not parsed");
        }
        return parse(new InputSource(new ByteArrayInputStream(xml)));
    }

    static Parsed parse(String xml) {
        if (xml.length() > MAX_BYTES) {
            return new Parsed(null, "XML of " + xml.length() + " characters exceeds the " + MAX_BYTES + " limit; not parsed");
        }
        return parse(new InputSource(new StringReader(xml)));
    }

    private static Parsed parse(InputSource source) {
        DocumentBuilder builder = BUILDER.get();
        if (builder == null) {
            return new Parsed(null, "no safely configurable XML parser in this JDK");
        }
        try {
            builder.setErrorHandler(SILENT);
            builder.setEntityResolver(NO_ENTITIES);
            Document doc = builder.parse(source);
            return doc.getDocumentElement() == null ? new Parsed(null, "XML has no root element") : new Parsed(doc, null);
        } catch (SAXParseException e) {
            return new Parsed(null, "malformed XML at line " + e.getLineNumber() + ", column " + e.getColumnNumber()
                    + ": " + Text.clip(String.valueOf(e.getMessage()), MAX_MESSAGE));
        } catch (Exception | StackOverflowError e) {
            return new Parsed(null, "malformed XML: " + Text.clip(String.valueOf(e.getMessage()), MAX_MESSAGE));
        } finally {
            builder.reset();
        }
    }

    /** Child elements of {@code parent}, in document order. */
    static List<Element> children(Element parent) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                out.add(e);
            }
        }
        return out;
    }

    /** First child element called {@code name}, or {@code null}. */
    static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    /** Text of the first child element called {@code name}, or {@code null} when there is no such child. */
    static String childText(Element parent, String name) {
        Element e = child(parent, name);
        return e == null ? null : e.getTextContent();
    }

    /** Attribute value, or {@code null} when absent (the DOM returns "" for both absent and empty). */
    static String attr(Element e, String name) {
        return e.hasAttribute(name) ? e.getAttribute(name) : null;
    }

    /** Belt and braces: even if a DOCTYPE slipped through, nothing is ever fetched. */
    private static final EntityResolver NO_ENTITIES = (publicId, systemId) -> new InputSource(new StringReader(""));

    private static final ErrorHandler SILENT = new ErrorHandler() {
        @Override
        public void warning(SAXParseException e) {
        }

        @Override
        public void error(SAXParseException e) {
        }

        @Override
        public void fatalError(SAXParseException e) throws SAXParseException {
            throw e;
        }
    };

    private static DocumentBuilder newBuilder() {
        DocumentBuilderFactory factory = newFactory();
        if (factory == null) {
            return null;
        }
        try {
            return factory.newDocumentBuilder();
        } catch (ParserConfigurationException e) {
            return null;
        }
    }

    private static DocumentBuilderFactory newFactory() {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(false);
            f.setValidating(false);
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            f.setIgnoringComments(true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            f.setAttribute("jdk.xml.maxElementDepth", String.valueOf(MAX_DEPTH));
            return f;
        } catch (ParserConfigurationException | IllegalArgumentException e) {
            // Refuse to parse rather than parse unsafely.
            return null;
        }
    }
}
