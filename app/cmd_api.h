#ifndef FAXTOP_APP_CMD_API_H
#define FAXTOP_APP_CMD_API_H

#endif
