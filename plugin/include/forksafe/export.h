/*
 * forksafe/export.h - FORKSAFE_API marks the functions libforksafe
 * exports; everything else in the library is hidden (it is compiled with
 * -fvisibility=hidden, and libforksafe.map lists the same names).
 *
 * ELF (Linux): default visibility.  Windows: the mingw-w64 build installs
 * a static archive, so nothing is needed; a program using a DLL build
 * defines FORKSAFE_DLL, and the DLL itself is built with
 * FORKSAFE_BUILDING_DLL.
 */
#ifndef FORKSAFE_EXPORT_H
#define FORKSAFE_EXPORT_H

#if defined(_WIN32) || defined(__CYGWIN__)
#if defined(FORKSAFE_BUILDING_DLL)
#define FORKSAFE_API __declspec(dllexport)
#elif defined(FORKSAFE_DLL)
#define FORKSAFE_API __declspec(dllimport)
#else
#define FORKSAFE_API
#endif
#elif defined(__GNUC__)
#define FORKSAFE_API __attribute__((visibility("default")))
#else
#define FORKSAFE_API
#endif

#endif
