/* version.h - the harness's version. */
#ifndef GH_VERSION_H
#define GH_VERSION_H
#define GH_VERSION "0.1.0"
#endif
