#!/usr/bin/env python3
"""Writes a C file holding a text file's bytes as a NUL-terminated array:
embed.py INPUT OUTPUT SYMBOL. The build embeds docs/api.md this way, so the
daemon serves the documentation of the API it runs."""
import sys


def main():
    src, out, sym = sys.argv[1:4]
    data = open(src, "rb").read()
    with open(out, "w") as f:
        f.write("/* Generated from %s by src/server/embed.py. */\n" % src)
        f.write("#include <stddef.h>\n")
        f.write("const char %s[] = {\n" % sym)
        for i in range(0, len(data), 16):
            f.write("    " + ", ".join(str(b) for b in data[i:i + 16]) + ",\n")
        f.write("    0};\n")
        f.write("const size_t %s_len = %d;\n" % (sym, len(data)))


if __name__ == "__main__":
    main()
