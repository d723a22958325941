/* list-fields: prints the name of every field of the registry, one a line,
 * for tests that compare trawl's fields with tshark's. */
#include <stdio.h>

#include "trawl/decode.h"

int main(void) {
    for (size_t i = 0; i < trawl_field_count(); i++)
        printf("%s\n", trawl_field_name(trawl_field_at(i)));
    return 0;
}
