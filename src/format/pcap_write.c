/* Classic pcap output: a 24-byte file header and a 16-byte header per
 * record, little-endian, with microsecond or nanosecond time stamps. The
 * record is built inline (pcap_put_record in writer_int.h). */
#include "format/writer_int.h"

int pcap_put_header(trawl_writer *w, const struct trawl_iface *ifc, char *err,
                    size_t errlen) {
    uint8_t *h = writer_reserve(w, PCAP_FILE_HDR, err, errlen);
    if (!h)
        return w->refused;
    bool ns = w->format == TRAWL_FORMAT_PCAP_NS;
    core_put_le32(h, ns ? PCAP_MAGIC_NS : PCAP_MAGIC_US);
    core_put_le16(h + 4, 2); /* version 2.4 */
    core_put_le16(h + 6, 4);
    core_put_le32(h + 8, 0);  /* thiszone: time stamps are UTC */
    core_put_le32(h + 12, 0); /* sigfigs */
    /* A snap length of 0 would tell readers that no packet has data. */
    core_put_le32(h + 16, ifc->snaplen ? ifc->snaplen : TRAWL_MAX_CAPLEN);
    uint32_t lt = (uint32_t)ifc->linktype & PCAP_LINKTYPE_MASK;
    /* pcap has no "no FCS" statement, only "an FCS of this many 16-bit
     * words is present"; a length that is not a whole number of words
     * cannot be said at all. */
    if (ifc->fcslen > 0 && ifc->fcslen % 2 == 0 && ifc->fcslen <= 30)
        lt |= PCAP_FCS_PRESENT | (uint32_t)(ifc->fcslen / 2) << PCAP_FCS_SHIFT;
    core_put_le32(h + 20, lt);
    writer_commit(w, PCAP_FILE_HDR);
    return 0;
}
