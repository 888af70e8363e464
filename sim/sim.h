#ifndef FAXTOP_SIM_SIM_H
#define FAXTOP_SIM_SIM_H

#endif
