# Warnings are errors for our own code.
add_compile_options(-Wall -Wextra -Wpedantic -Werror -Wno-unused-parameter)
