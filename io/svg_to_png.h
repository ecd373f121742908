// PNG from an SVG document: the SVG rasterised by librsvg into a cairo image and written as PNG,
// for `pldr plot -o curves.png`. Optional: a build without librsvg2-dev has no PNG output.
#pragma once
#include <string>

namespace pldr::io {

// Whether this build can write PNG (it found librsvg).
bool png_supported();

// Writes `svg` rasterised at its own size (times `scale`) to `path`, atomically. Throws IoError
// naming the file on a bad document or a failed write, and saying how to get PNG support in a
// build without it.
void write_svg_as_png(const std::string& path, const std::string& svg, double scale = 1.0);

}  // namespace pldr::io
