package msnscope.dissect.payload;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Wire numbers at and past the ends of the long range, and what is not a wire number at all. */
class DecimalTest {

    @Test
    void numbersUpToLongMaxParseAndOneMoreIsNull() {
        assertEquals(Long.MAX_VALUE, Decimal.unsigned("9223372036854775807"));
        assertNull(Decimal.unsigned("9223372036854775808"));
        assertNull(Decimal.unsigned("9999999999999999999"));
        assertNull(Decimal.unsigned("99999999999999999999"));
        assertNull(Decimal.unsigned("9".repeat(10_000)));
        assertEquals(999_999_999_999_999_999L, Decimal.unsigned("999999999999999999"));
        assertEquals(1L, Decimal.unsigned("000000000000000000000000001"), "zero padding is still the number");
        assertEquals(0L, Decimal.unsigned("0"));
    }

    @Test
    void signedNumbersReachLongMinAndNoFurther() {
        assertEquals(Long.MIN_VALUE, Decimal.signed("-9223372036854775808"));
        assertNull(Decimal.signed("-9223372036854775809"));
        assertEquals(-5L, Decimal.signed("-5"));
        assertEquals(Long.MAX_VALUE, Decimal.signed("9223372036854775807"));
    }

    @Test
    void onlyAsciiDigitsAreDigits() {
        for (String s : new String[] {"", "-", "+5", " 5", "5 ", "1e3", "0x10", "--5", "5-", "١٢٣", "１２"}) {
            assertNull(Decimal.signed(s), s);
            assertNull(Decimal.unsigned(s), s);
        }
        assertNull(Decimal.unsigned(null));
        assertNull(Decimal.unsigned("-5"), "unsigned takes no sign");
    }

    @Test
    void aBoundRefusesWhatIsAboveIt() {
        assertEquals(4294967295L, Decimal.unsigned("4294967295", 4294967295L));
        assertNull(Decimal.unsigned("4294967296", 4294967295L));
    }
}
