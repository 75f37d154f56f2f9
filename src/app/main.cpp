#include "app/run.hpp"

int main(int argc, char** argv) { return baton::run(argc, argv); }
