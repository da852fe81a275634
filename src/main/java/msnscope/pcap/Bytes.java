package msnscope.pcap;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Fixed-width integers from a byte array in either byte order. VarHandle views compile to single
 * loads, which matters at hundreds of thousands of packets per second; callers check bounds first.
 */
final class Bytes {
    private static final VarHandle I16_BE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle I16_LE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I32_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle I32_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I64_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle I64_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private Bytes() {
    }

    static int u8(byte[] b, int off) {
        return b[off] & 0xFF;
    }

    /** Unsigned 16 bits, network (big-endian) order. */
    static int u16(byte[] b, int off) {
        return (short) I16_BE.get(b, off) & 0xFFFF;
    }

    static int u16(byte[] b, int off, boolean bigEndian) {
        return (bigEndian ? (short) I16_BE.get(b, off) : (short) I16_LE.get(b, off)) & 0xFFFF;
    }

    /** 32 bits, network (big-endian) order, as a Java int (callers mask for unsigned). */
    static int i32(byte[] b, int off) {
        return (int) I32_BE.get(b, off);
    }

    static int i32(byte[] b, int off, boolean bigEndian) {
        return bigEndian ? (int) I32_BE.get(b, off) : (int) I32_LE.get(b, off);
    }

    static long u32(byte[] b, int off, boolean bigEndian) {
        return i32(b, off, bigEndian) & 0xFFFFFFFFL;
    }

    static long i64(byte[] b, int off) {
        return (long) I64_BE.get(b, off);
    }

    static long i64(byte[] b, int off, boolean bigEndian) {
        return bigEndian ? (long) I64_BE.get(b, off) : (long) I64_LE.get(b, off);
    }
}
