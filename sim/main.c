#include "config.h"
#include <stdio.h>
int main(void) { fputs("faxtop: not built yet\n", stderr); return 1; }
