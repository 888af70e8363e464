#ifndef FAXTOP_TUI_TUI_H
#define FAXTOP_TUI_TUI_H

#endif
