#pragma once
// Internal: the self-contained HTML view around Graphviz's SVG.

#include <string>

namespace modtrace::detail {

// lib/render/html/page.html and view.js, compiled in (html/assets.cpp.in).
extern const char* const kHtmlPage;
extern const char* const kHtmlScript;

// One HTML file holding `svg` (Graphviz's output for modtrace's DOT), the
// script that pans, zooms, searches and collapses it, and its styles.
std::string html_page(const std::string& svg);

}  // namespace modtrace::detail
