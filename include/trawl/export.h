/* Symbol visibility: libtrawl is built with hidden visibility by default and
 * exports exactly the functions marked TRAWL_API. */
#ifndef TRAWL_EXPORT_H
#define TRAWL_EXPORT_H

#if defined(TRAWL_BUILDING_LIBRARY) && defined(__GNUC__)
#define TRAWL_API __attribute__((visibility("default")))
#else
#define TRAWL_API
#endif

#endif
