package msnscope.dissect.payload;

import java.nio.charset.StandardCharsets;

/**
 * Payloads copied from the project's transcripts: {@code shared/seeds/msnp11-wiki-example.txt} (the wiki's
 * MSNP11 example, LF line ends as rendered) and {@code shared/captures/escargot-msnp{8,12}.txt} (real
 * Escargot traffic, CRLF). The byte lengths are those announced on the command lines.
 */
final class Samples {

    private Samples() {
    }

    /** Joins lines with CRLF, each line terminated. */
    static String crlf(String... lines) {
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append(l).append("\r\n");
        }
        return sb.toString();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** escargot-msnp12.txt: {@code MSG 3 U 90}, alice typing. */
    static final String TYPING = crlf("MIME-Version: 1.0", "Content-Type: text/x-msmsgscontrol",
            "TypingUser: alice@example.com", "") + "\r\n";

    /** escargot-msnp12.txt: {@code MSG 4 A 136}. */
    static final String TEXT_ALICE = crlf("MIME-Version: 1.0", "Content-Type: text/plain; charset=UTF-8",
            "X-MMS-IM-Format: FN=Segoe%20UI; EF=; CO=0; CS=1; PF=0", "") + "Hello Bob! éè ☺";

    /** escargot-msnp12.txt: {@code MSG 2 N 132}. */
    static final String TEXT_BOB = crlf("MIME-Version: 1.0", "Content-Type: text/plain; charset=UTF-8",
            "X-MMS-IM-Format: FN=Arial; EF=B; CO=ff; CS=0; PF=22", "") + "Hi Alice, got it.";

    private static final String[] PROFILE_LINES = {"MIME-Version: 1.0",
        "Content-Type: text/x-msmsgsprofile; charset=UTF-8", "LoginTime: 1726321960", "EmailEnabled: 1",
        "MemberIdHigh: 1", "MemberIdLow: 2", "lang_preference: 1033", "PreferredEmail: example@hotmail.com",
        "country: US", "PostalCode: ", "Gender: ", "Kid: 0", "Age: ", "BDayPre: ", "Birthday: ", "Wallet: ",
        "Flags: 1027", "sid: 507", "kv: 11",
        "MSPAuth: whatever+t+is+in+your+passport+login+ticket+that+you+sent+for+USR+TWN+S$",
        "ClientIP: 192.168.1.111", "ClientPort: 18183", "ABCHMigrated: 1", ""};

    /** msnp11-wiki-example.txt: {@code MSG Hotmail Hotmail 465}, restored to the CRLF the wire carries. */
    static final String PROFILE_CRLF = crlf(PROFILE_LINES);

    /** The same profile exactly as the wiki renders it: bare LF. */
    static final String PROFILE_LF = String.join("\n", PROFILE_LINES) + "\n";

    /** msnp11-wiki-example.txt: {@code GCF 9 Shields.xml 145}. */
    static final String SHIELDS = "<?xml version= \"1.0\" encoding=\"utf-8\" ?><config><shield><cli maj=\"7\" min=\"0\" "
            + "minbld=\"0\" maxbld=\"9999\" deny=\"\" /></shield><block></block></config>";

    /** msnp11-wiki-example.txt: {@code UBX anotheruser@hotmail.com 54} (older revision: no {@code <Data>}). */
    static final String UBX_FRAGMENT = "<PSM>new feature :P</PSM><CurrentMedia></CurrentMedia>";

    /** msnp11-wiki-example.txt: {@code UUX 11 40}. */
    static final String UUX_EMPTY_FRAGMENT = "<PSM></PSM><CurrentMedia></CurrentMedia>";

    /** escargot-msnp12.txt: {@code UUX 9 69}. */
    static final String UUX_ALICE = "<Data><PSM>hello from alice</PSM><CurrentMedia></CurrentMedia></Data>";

    /** escargot-msnp12.txt: {@code UBX alice@example.com 53}. */
    static final String UBX_EMPTY = "<Data><PSM></PSM><CurrentMedia></CurrentMedia></Data>";

    /** The hypothetic.org MSNC1 example MSNObject; its SHA1C is correct. */
    static final String MSNOBJ = "<msnobj Creator=\"buddy1@hotmail.com\" Size=\"24539\" Type=\"3\" Location=\"TFR2C.tmp\" "
            + "Friendly=\"AAA=\" SHA1D=\"trC8SlFx2sWQxZMIBAWSEnXc8oQ=\" SHA1C=\"U32o6bosZzluJq82eAtMpx5dIEI=\"/>";
}
