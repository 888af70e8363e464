#ifndef FAXTOP_APP_CMD_SIGN_H
#define FAXTOP_APP_CMD_SIGN_H

#endif
