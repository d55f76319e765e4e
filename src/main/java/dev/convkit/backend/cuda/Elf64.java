package dev.convkit.backend.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;

/**
 * Just enough of the ELF64 format to list a cubin's kernel symbols: the section headers, the symbol table
 * (SHT_SYMTAB) and its string table. Little-endian only, as every cubin is.
 */
final class Elf64 {
    private static final int SHT_SYMTAB = 2;
    private static final int STT_FUNC = 2;
    private static final int STB_GLOBAL = 1;
    private static final int SYMBOL_SIZE = 24;

    private Elf64() {}

    /** Names of the global function symbols (kernel entry points and non-inlined device functions). */
    static Set<String> globalFunctions(byte[] elf) {
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        if (elf.length < 64 || b.getInt(0) != 0x464C457F || elf[4] != 2 || elf[5] != 1) {
            throw new IllegalArgumentException("not a little-endian ELF64 image (" + elf.length + " bytes)");
        }
        long sectionTable = b.getLong(0x28);
        int entrySize = Short.toUnsignedInt(b.getShort(0x3A));
        int count = Short.toUnsignedInt(b.getShort(0x3C));
        Set<String> names = new TreeSet<>();
        for (int i = 0; i < count; i++) {
            int sh = Math.toIntExact(sectionTable + (long) i * entrySize);
            if (b.getInt(sh + 4) != SHT_SYMTAB) continue;
            int symbols = Math.toIntExact(b.getLong(sh + 24));
            long symbolsSize = b.getLong(sh + 32);
            int link = b.getInt(sh + 40);
            int strings = Math.toIntExact(b.getLong(Math.toIntExact(sectionTable + (long) link * entrySize) + 24));
            for (long s = 0; s + SYMBOL_SIZE <= symbolsSize; s += SYMBOL_SIZE) {
                int sym = Math.toIntExact(symbols + s);
                int info = Byte.toUnsignedInt(b.get(sym + 4));
                if ((info & 0xF) == STT_FUNC && (info >> 4) == STB_GLOBAL) names.add(cString(elf, strings + b.getInt(sym)));
            }
        }
        return names;
    }

    private static String cString(byte[] data, int at) {
        int end = at;
        while (end < data.length && data[end] != 0) end++;
        return new String(data, at, end - at, StandardCharsets.US_ASCII);
    }
}
