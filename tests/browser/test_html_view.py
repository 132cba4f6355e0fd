#!/usr/bin/env python3
"""The HTML view (`modtrace trace … -o view.html`) in a real browser.

Debian's chromium, headless, driven through chromedriver by python3-selenium;
screenshots read with python3-pil. Each scenario is its own meson test (a
failure names it):

    test_html_view.py MODTRACE WORKDIR SCENARIO [PLUGIN]

The page is driven as a person would (typing, clicking, the wheel, dragging);
its state is read from the DOM (classes, the viewBox, the details panel) and,
in the screenshot scenario, from the pixels.
"""
import io
import os
import re
import subprocess
import sys
import traceback

from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions.wheel_input import ScrollOrigin
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

MODTRACE, WORKDIR, SCENARIO = sys.argv[1], sys.argv[2], sys.argv[3]
PLUGIN = sys.argv[4] if len(sys.argv) > 4 else None

# The page's colours (lib/render/html/page.html) and Graphviz's fills (lib/render/dot.cpp).
HIT = (0xFF, 0x00, 0x90)
COLLAPSED = (0xDD, 0xE8, 0xF5)
MODULE_OWNED_FILL = (0xCF, 0xE2, 0xF3)


def make_page(name, *command):
    path = os.path.join(WORKDIR, name)
    if os.path.exists(path):
        os.remove(path)
    done = subprocess.run([MODTRACE, *command, "-o", path], capture_output=True, text=True)
    assert done.returncode == 0, f"modtrace {' '.join(command)} failed: {done.stderr}"
    return path


def browser():
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1400,900", "--force-device-scale-factor=1", "--hide-scrollbars"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


class Page:
    def __init__(self, driver, path):
        self.d = driver
        driver.get("file://" + path)

    def js(self, script, *args):
        return self.d.execute_script(script, *args)

    def classes(self, element_id):
        return self.js("const g = document.getElementById(arguments[0]); return g ? [...g.classList] : null;", element_id)

    def ids_with(self, css_class):
        return self.js("return [...document.querySelectorAll('g.' + arguments[0])].map(g => g.id);", css_class)

    def shown(self, element_id):
        return self.js("return getComputedStyle(document.getElementById(arguments[0])).display !== 'none';", element_id)

    def cluster_id(self, title):
        """The id of the module cluster whose title (first text) is `title`."""
        found = self.js("""
            for (const g of document.querySelectorAll('g.cluster')) {
              const t = g.querySelector('text');
              if (t && t.textContent === arguments[0]) return g.id;
            }
            return null;""", title)
        assert found, f"no cluster titled {title!r}"
        return found

    def node_id(self, *text_lines):
        """The id of the node whose label lines start with `text_lines`."""
        found = self.js("""
            for (const g of document.querySelectorAll('g.node')) {
              const lines = [...g.querySelectorAll('text')].map(t => t.textContent);
              if (arguments[0].every((line, i) => lines[i] === line)) return g.id;
            }
            return null;""", list(text_lines))
        assert found, f"no node labelled {text_lines!r}"
        return found

    def search(self, text, enter=False):
        box = self.d.find_element(By.ID, "search")
        box.clear()
        box.send_keys(text)
        if enter:
            box.send_keys(Keys.ENTER)

    def reveal(self, text):
        """Brings the first match for `text` into view as a person would (search, Enter), then clears the search."""
        self.search(text, enter=True)
        self.d.find_element(By.ID, "search").send_keys(Keys.ESCAPE)

    def let_go(self):
        self.d.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)

    def details(self):
        """The details panel: its title and its key -> value pairs."""
        return self.js("""
            const panel = document.getElementById('details');
            const h = panel.querySelector('h2');
            const pairs = {};
            for (const dt of panel.querySelectorAll('dt')) pairs[dt.textContent] = dt.nextElementSibling.textContent;
            return [h ? h.textContent : null, pairs];""")

    def view_box(self):
        return [float(v) for v in self.js("return document.querySelector('#canvas svg').getAttribute('viewBox');").split()]

    def title_text(self, element_id):
        return self.d.find_element(By.CSS_SELECTOR, f"g#{element_id} text")

    def rect(self, element_id):
        return self.js("const r = document.getElementById(arguments[0]).getBoundingClientRect();"
                       "return [r.left, r.top, r.right, r.bottom];", element_id)

    def screenshot(self, name):
        png = self.d.get_screenshot_as_png()
        with open(os.path.join(WORKDIR, name), "wb") as f:
            f.write(png)  # kept for people to look at
        return Image.open(io.BytesIO(png)).convert("RGB")

    def console_errors(self):
        return [e for e in self.d.get_log("browser") if e.get("level") == "SEVERE"]


def count_colour(image, colour, box=None, outside=None):
    """Pixels of exactly `colour`, within `box` (left, top, right, bottom) or outside `outside`."""
    width, height = image.size
    left, top, right, bottom = [int(v) for v in (box or (0, 0, width, height))]
    pixels = image.load()
    n = 0
    for y in range(max(top, 0), min(bottom, height)):
        for x in range(max(left, 0), min(right, width)):
            if outside and outside[0] <= x < outside[2] and outside[1] <= y < outside[3]:
                continue
            if pixels[x, y] == colour:
                n += 1
    return n


def grown(rect, by):
    return [rect[0] - by, rect[1] - by, rect[2] + by, rect[3] + by]


# ---- scenarios ----

def page_loads_self_contained(d):
    path = make_page("view_page.html", "trace", "resnet18")
    html = open(path, encoding="utf-8").read()
    p = Page(d, path)
    assert p.console_errors() == [], p.console_errors()
    # Nothing was fetched: the page, its script, styles and picture are one file.
    assert p.js("return performance.getEntriesByType('resource').length;") == 0
    assert p.d.title == "ResNet · modtrace", p.d.title
    # The script ran: it sized the picture to the window and took the ids out of the tooltips.
    assert p.js("return document.querySelector('#canvas svg').hasAttribute('width');") is False
    assert p.js("return document.querySelectorAll('#canvas svg title').length;") == 0
    assert p.js("return document.querySelectorAll('g.node').length;") == len(re.findall(r'<g id="[^"]*" class="node', html))
    # Clicking the root's own flatten shows its details, kept in the panel.
    flatten = p.node_id("flatten")
    p.reveal("flatten")
    p.let_go()
    assert p.details()[0] is None and p.ids_with("selected") == []
    p.d.find_element(By.CSS_SELECTOR, f"g#{flatten} text").click()
    title, pairs = p.details()
    assert title == "flatten", title
    assert pairs["op"] == "flatten" and pairs["module"] == "(the traced module)", pairs
    assert pairs["ownership"] == "functional: the traced module's own code", pairs
    assert pairs["inputs"] == "[1, 512, 1, 1]" and pairs["output"] == "[1, 512]", pairs
    assert pairs["attributes"] == "start_dim=1, end_dim=-1", pairs
    assert re.fullmatch(r"lib/zoo/resnet\.cpp:\d+", pairs["source"]), pairs
    assert "selected" in p.classes(flatten)
    # Pointing at another node does not replace what was clicked …
    fc = p.node_id("fc (Linear)")
    ActionChains(d).move_to_element(p.d.find_element(By.CSS_SELECTOR, f"g#{fc} text")).perform()
    assert p.details()[0] == "flatten"
    # … until Escape lets go; then pointing shows it.
    p.let_go()
    ActionChains(d).move_by_offset(1, 1).perform()
    ActionChains(d).move_to_element(p.d.find_element(By.CSS_SELECTOR, f"g#{fc} text")).perform()
    title, pairs = p.details()
    assert title == "fc (Linear)" and pairs["op"] == "linear" and pairs["inputs"] == "[1, 512], [1000, 512], [1000]", pairs


def searching_highlights_the_module_and_what_ran_in_it(d):
    p = Page(d, make_page("view_search.html", "trace", "resnet18"))
    block = p.cluster_id("layer1.0 (BasicBlock)")
    p.search("layer1.0")
    hits = p.ids_with("hit")
    # The block and its seven drawn ops (conv1, bn1, relu, conv2, bn2, the add, relu again): nothing of layer1.1.
    assert block in hits, hits
    assert len(hits) == 8, hits
    for node in hits:
        if node != block:
            assert "in-" + block in p.classes(node), (node, p.classes(node))
    assert p.cluster_id("layer1.1 (BasicBlock)") not in hits
    assert p.d.find_element(By.ID, "matches").text == "8 matches"
    # Searching is case-blind and looks at the details too: the root's own add is found by its source file.
    p.search("RESNET.CPP")
    assert len(p.ids_with("hit")) > 0
    p.search("no such thing")
    assert p.ids_with("hit") == [] and p.d.find_element(By.ID, "matches").text == "no match"
    # Enter goes to the first match: selected, its details shown, and in view.
    p.search("layer1.0", enter=True)
    assert p.d.find_element(By.ID, "matches").text == "1 of 8"
    title, pairs = p.details()
    assert title == "layer1.0 (BasicBlock)" and pairs["type"] == "BasicBlock", (title, pairs)
    assert pairs["inputs"] == "[1, 64, 56, 56]" and pairs["outputs"] == "[1, 64, 56, 56]", pairs
    left, top, right, bottom = p.rect(block)
    canvas = p.js("const r = document.getElementById('canvas').getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom];")
    assert canvas[0] <= left and right <= canvas[2] and canvas[1] <= top and bottom <= canvas[3], ((left, top, right, bottom), canvas)
    # Escape in the box clears the search.
    p.search("")
    p.d.find_element(By.ID, "search").send_keys("layer", Keys.ESCAPE)
    assert p.ids_with("hit") == []


def collapsing_hides_a_modules_members(d):
    p = Page(d, make_page("view_collapse.html", "trace", "resnet18"))
    layer1 = p.cluster_id("layer1 (Sequential)")
    members = p.js("return [...document.querySelectorAll('g.in-' + arguments[0])].map(g => g.id);", layer1)
    assert len(members) == 2 + 14, members  # two blocks, seven ops each
    outside = p.node_id("maxpool (MaxPool2d)")
    # The edges as Graphviz wrote them (the script takes their titles out).
    svg = open(os.path.join(WORKDIR, "view_collapse.html"), encoding="utf-8").read()
    edge_ends = {m[0]: (m[1], m[2]) for m in re.findall(r'<g id="(edge\d+)" class="edge">\s*<title>(\w+)&#45;&gt;(\w+)</title>', svg)}
    assert len(edge_ends) == p.js("return document.querySelectorAll('g.edge').length;")
    p.reveal("layer1 (Sequential)")
    p.title_text(layer1).click()
    assert "collapsed" in p.classes(layer1)
    assert all(not p.shown(m) for m in members)
    assert p.shown(layer1) and p.shown(outside)
    assert p.js("return [...document.querySelectorAll('g#' + arguments[0] + ' text.collapsed-note tspan')]"
                ".map(t => t.textContent);", layer1) == ["14 nodes, 2 modules", "click to expand"]
    # The edges among its members go; those crossing its border stay, pointing into the box.
    inside = {e for e, (a, b) in edge_ends.items() if a in members and b in members}
    crossing = {e for e, (a, b) in edge_ends.items() if (a in members) != (b in members)}
    assert len(inside) >= 14 and len(crossing) >= 2, (inside, crossing)
    assert set(p.ids_with("edge.hidden")) == inside
    # A search for what it hides marks the box; Enter opens it.
    p.search("layer1.0.conv1")
    assert "has-hit" in p.classes(layer1)
    p.d.find_element(By.ID, "search").send_keys(Keys.ENTER)
    assert "collapsed" not in p.classes(layer1) and all(p.shown(m) for m in members)
    p.search("")
    # Clicking the title again after collapsing expands it.
    p.reveal("layer1 (Sequential)")
    p.title_text(layer1).click()
    p.title_text(layer1).click()
    assert "collapsed" not in p.classes(layer1) and all(p.shown(m) for m in members)
    # Double-clicking inside the box (not on a node) collapses it too.
    left, top, right, bottom = p.rect(layer1)
    ActionChains(d).move_to_element_with_offset(p.d.find_element(By.CSS_SELECTOR, f"g#{layer1}"),
                                                int((right - left) / 2) - 6, 0).double_click().perform()
    assert "collapsed" in p.classes(layer1)
    # Collapse all: only the outermost modules are left, every nested box and op hidden.
    d.find_element(By.ID, "expand-all").click()
    assert p.ids_with("collapsed") == []
    d.find_element(By.ID, "collapse-all").click()
    visible_clusters = p.js("return [...document.querySelectorAll('g.cluster.module:not(.hidden)')].map(g => g.id);")
    assert layer1 in visible_clusters and p.cluster_id("layer1.0 (BasicBlock)") not in visible_clusters
    assert not p.shown(p.cluster_id("layer1.0 (BasicBlock)"))
    assert p.shown(outside)  # the stem's ops are in no module box
    d.find_element(By.ID, "expand-all").click()
    assert p.js("return document.querySelectorAll('g.hidden').length;") == 0


def wheel_zooms_about_the_pointer_and_dragging_pans(d):
    p = Page(d, make_page("view_zoom.html", "trace", "resnet18"))
    canvas = d.find_element(By.ID, "canvas")
    before = p.view_box()
    # The picture point under the pointer stays under it.
    to_picture = """
        const m = document.querySelector('#canvas svg').getScreenCTM().inverse();
        const p = new DOMPoint(arguments[0], arguments[1]).matrixTransform(m);
        return [p.x, p.y];"""
    cx, cy = p.js("const r = document.getElementById('canvas').getBoundingClientRect(); return [r.left + 300, r.top + 200];")
    under = p.js(to_picture, cx, cy)
    ActionChains(d).scroll_from_origin(ScrollOrigin.from_viewport(int(cx), int(cy)), 0, -400).perform()
    after = p.view_box()
    assert after[2] < before[2] * 0.7, (before, after)  # zoomed in
    assert abs(after[2] / after[3] - before[2] / before[3]) < 1e-6
    still = p.js(to_picture, cx, cy)
    assert abs(still[0] - under[0]) < 1.5 and abs(still[1] - under[1]) < 1.5, (under, still)
    # Dragging 120 px right and 80 down moves the view by that much, in picture units.
    scale = p.js("return document.querySelector('#canvas svg').getScreenCTM().a;")
    ActionChains(d).move_to_element_with_offset(canvas, -200, -100).click_and_hold().move_by_offset(60, 40) \
        .move_by_offset(60, 40).release().perform()
    moved = p.view_box()
    assert abs((after[0] - moved[0]) - 120 / scale) < 1 and abs((after[1] - moved[1]) - 80 / scale) < 1, (after, moved)
    # A drag is not a click: nothing got selected.
    assert p.ids_with("selected") == []
    # 0 shows the whole picture (Graphviz's own viewBox); + and - zoom about the middle.
    d.find_element(By.TAG_NAME, "body").send_keys("0")
    home = p.view_box()
    svg = open(os.path.join(WORKDIR, "view_zoom.html"), encoding="utf-8").read()
    whole = [float(v) for v in re.search(r'<svg [^>]*viewBox="([^"]+)"', svg)[1].split()]
    assert all(abs(a - b) < 0.01 for a, b in zip(home, whole)), (home, whole)
    d.find_element(By.TAG_NAME, "body").send_keys("+")
    assert abs(p.view_box()[2] - home[2] / 1.25) < 1e-3
    d.find_element(By.TAG_NAME, "body").send_keys("-")
    assert abs(p.view_box()[2] - home[2]) < 1e-3


def screenshots_show_the_highlight_and_the_collapsed_box(d):
    p = Page(d, make_page("view_pixels.html", "trace", "resnet18"))
    block = p.cluster_id("layer1.0 (BasicBlock)")
    plain = p.screenshot("html_view_plain.png")
    assert count_colour(plain, HIT) == 0
    p.search("layer1.0", enter=True)
    p.js("document.activeElement.blur();")
    shot = p.screenshot("html_view_search.png")
    box = grown(p.rect(block), 3)
    inside = count_colour(shot, HIT, box)
    # Eight 3-px outlines: hundreds of pixels, all within the block's box.
    assert inside > 800, inside
    assert count_colour(shot, HIT, outside=box) == 0
    p.search("")
    layer1 = p.cluster_id("layer1 (Sequential)")
    p.reveal("layer1 (Sequential)")
    p.title_text(layer1).click()
    p.let_go()
    shot = p.screenshot("html_view_collapsed.png")
    canvas = p.js("const r = document.getElementById('canvas').getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom];")
    box = grown(p.rect(layer1), -4)
    box = [max(box[0], canvas[0]), max(box[1], canvas[1]), min(box[2], canvas[2]), min(box[3], canvas[3])]
    area = (box[2] - box[0]) * (box[3] - box[1])
    assert count_colour(shot, COLLAPSED, box) > 0.5 * area, (count_colour(shot, COLLAPSED, box), area)
    assert count_colour(shot, MODULE_OWNED_FILL, box) == 0  # its ops are gone from the box
    p.title_text(layer1).click()
    p.let_go()
    shot = p.screenshot("html_view_expanded.png")
    assert count_colour(shot, MODULE_OWNED_FILL, box) > 0.05 * area
    assert count_colour(shot, COLLAPSED, box) == 0


def comparison_view_finds_the_dropped_op(d):
    p = Page(d, make_page("view_diff.html", "diff", "resnet18"))
    assert p.console_errors() == []
    assert p.d.title.startswith("ResNet vs nn.Sequential(*children())"), p.d.title
    p.search("flatten", enter=True)
    hits = p.ids_with("hit")
    assert len(hits) == 1 and hits[0].startswith("a_"), hits  # only the original runs it
    assert "dropped" in p.classes(hits[0])
    title, pairs = p.details()
    assert title == "flatten" and pairs["ownership"] == "functional: the traced module's own code", pairs
    # The two halves are not modules: their titles do not collapse them.
    original = "cluster_original"
    d.find_element(By.TAG_NAME, "body").send_keys("0")  # the whole picture, titles in view
    p.title_text(original).click()
    assert "collapsed" not in p.classes(original)
    assert p.details()[0] == "original: ResNet.forward"


def names_are_shown_as_text_never_run(d):
    path = make_page("view_markup.html", "--plugin", PLUGIN, "trace", "markup_names")
    p = Page(d, path)
    assert p.console_errors() == []
    assert p.d.title == "MarkupNames · modtrace", p.d.title
    assert p.js("return document.querySelectorAll('img, #canvas script').length;") == 0
    assert p.js("return window.markupRan === undefined;")
    name = p.js("return [...document.querySelectorAll('g.node text')].map(t => t.textContent).find(t => t.includes('img'));")
    assert name == '<img src=x onerror="markupRan=1">\\N &amp; (ReLU)', name
    p.search("<img", enter=True)
    title, pairs = p.details()
    assert pairs["module"] == '<img src=x onerror="markupRan=1">\\N &amp;', pairs
    assert p.js("return window.markupRan === undefined;")


SCENARIOS = {
    "page": page_loads_self_contained,
    "search": searching_highlights_the_module_and_what_ran_in_it,
    "collapse": collapsing_hides_a_modules_members,
    "zoom": wheel_zooms_about_the_pointer_and_dragging_pans,
    "screenshot": screenshots_show_the_highlight_and_the_collapsed_box,
    "diff": comparison_view_finds_the_dropped_op,
    "markup": names_are_shown_as_text_never_run,
}


def main():
    os.makedirs(WORKDIR, exist_ok=True)
    driver = browser()
    try:
        SCENARIOS[SCENARIO](driver)
    except Exception:
        traceback.print_exc()
        return 1
    finally:
        driver.quit()
    print(f"html view: {SCENARIO}: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
