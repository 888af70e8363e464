#ifndef FAXTOP_APP_APP_H
#define FAXTOP_APP_APP_H

#endif
