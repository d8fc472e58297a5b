/*
 * forksafe/version.h - the version of forksafe, the one place it is
 * written: CMakeLists.txt reads it from here for project(VERSION), the
 * library's file names and forksafe.pc.
 *
 * FORKSAFE_VERSION_* say which header a program was compiled with;
 * forksafe_version() which library it runs with.
 */
#ifndef FORKSAFE_VERSION_H
#define FORKSAFE_VERSION_H

#define FORKSAFE_VERSION_MAJOR 0
#define FORKSAFE_VERSION_MINOR 1
#define FORKSAFE_VERSION_PATCH 0
#define FORKSAFE_VERSION "0.1.0"

#endif
