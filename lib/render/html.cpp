// The HTML view: page.html with Graphviz's SVG and view.js put in place.

#include "render/html.hpp"

#include "modtrace/error.hpp"

namespace modtrace::detail {
namespace {

// Replaces the one `marker` in `page` by `content`.
void put(std::string& page, const std::string& marker, const std::string& content) {
  const size_t at = page.find(marker);
  if (at == std::string::npos) throw Error("the HTML view's page lost its marker " + marker);
  page.replace(at, marker.size(), content);
}

}  // namespace

std::string html_page(const std::string& svg) {
  // Inline SVG in HTML takes the <svg> element alone: the XML declaration
  // and doctype before it go.
  const size_t start = svg.find("<svg");
  if (start == std::string::npos) throw Error("the HTML view needs an SVG picture, and Graphviz's output holds none");
  std::string page = kHtmlPage;
  // The script first: the SVG's text cannot then be mistaken for a marker.
  put(page, "/* modtrace:script */", kHtmlScript);
  put(page, "<!-- modtrace:svg -->", svg.substr(start));
  return page;
}

}  // namespace modtrace::detail
