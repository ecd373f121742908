#include "io/svg_to_png.h"

#include "io/atomic_file.h"
#include "io/error.h"

#if PLDR_WITH_RSVG
#include <cairo.h>
#include <librsvg/rsvg.h>

#include <memory>
#endif

namespace pldr::io {

#if PLDR_WITH_RSVG

bool png_supported() { return true; }

namespace {

// cairo's PNG writer callback: appends to a std::string.
cairo_status_t append_bytes(void* out, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(out)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

void write_svg_as_png(const std::string& path, const std::string& svg, double scale) {
  GError* error = nullptr;
  const std::unique_ptr<RsvgHandle, decltype(&g_object_unref)> handle(
      rsvg_handle_new_from_data(reinterpret_cast<const guint8*>(svg.data()), svg.size(), &error), g_object_unref);
  if (!handle) {
    const std::string why = error ? error->message : "unknown error";
    if (error) g_error_free(error);
    throw IoError(path + ": cannot read the chart's SVG: " + why);
  }
  gdouble width = 0, height = 0;
  if (!rsvg_handle_get_intrinsic_size_in_pixels(handle.get(), &width, &height))
    throw IoError(path + ": the chart's SVG has no size in pixels");
  const std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
      cairo_image_surface_create(CAIRO_FORMAT_ARGB32, int(width * scale + 0.5), int(height * scale + 0.5)),
      cairo_surface_destroy);
  const std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cr(cairo_create(surface.get()), cairo_destroy);
  const RsvgRectangle viewport{0, 0, width * scale, height * scale};
  if (!rsvg_handle_render_document(handle.get(), cr.get(), &viewport, &error)) {
    const std::string why = error ? error->message : "unknown error";
    if (error) g_error_free(error);
    throw IoError(path + ": cannot render the chart: " + why);
  }
  std::string png;
  if (cairo_surface_write_to_png_stream(surface.get(), append_bytes, &png) != CAIRO_STATUS_SUCCESS)
    throw IoError(path + ": cannot encode the PNG");
  write_file_atomically(path, png);
}

#else

bool png_supported() { return false; }

void write_svg_as_png(const std::string& path, const std::string&, double) {
  throw IoError(path +
                ": this build cannot write PNG (it needs librsvg2-dev: bash scripts/install-deps.sh, then "
                "rebuild); write an .svg instead");
}

#endif

}  // namespace pldr::io
