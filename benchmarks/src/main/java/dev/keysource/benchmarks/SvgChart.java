package dev.keysource.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A small SVG line chart with a linear x axis and a logarithmic y axis: enough for latency over time,
 * written by hand so the benchmarks need no plotting library or service.
 */
public final class SvgChart {

    private static final int WIDTH = 960;
    private static final int HEIGHT = 460;
    private static final int LEFT = 78;
    private static final int RIGHT = 24;
    private static final int TOP = 64;
    private static final int BOTTOM = 96;

    private final String title;
    private final String subtitle;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();
    private final List<Marks> marks = new ArrayList<>();
    private final List<Rule> rules = new ArrayList<>();
    private double xMax = 1;
    private double yMin = 0.01;
    private double yMax = 100_000;

    /** One line: points (x, y) with y &gt; 0. The arrays are copies, never compared or exposed. */
    @SuppressWarnings("ArrayRecordComponent")
    record Series(String name, String color, double[] xs, double[] ys) {
    }

    /** Tick marks along the bottom of the plot, e.g. backend calls. The array is a copy, never compared. */
    @SuppressWarnings("ArrayRecordComponent")
    record Marks(String name, String color, double[] xs) {
    }

    /** A dashed horizontal line, e.g. a target. */
    record Rule(String label, String color, double y) {
    }

    public SvgChart(String title, String subtitle, String xLabel, String yLabel) {
        this.title = Objects.requireNonNull(title, "title");
        this.subtitle = Objects.requireNonNull(subtitle, "subtitle");
        this.xLabel = Objects.requireNonNull(xLabel, "xLabel");
        this.yLabel = Objects.requireNonNull(yLabel, "yLabel");
    }

    public SvgChart xRange(double max) {
        if (!(max > 0)) {
            throw new IllegalArgumentException("x range must be positive: " + max);
        }
        this.xMax = max;
        return this;
    }

    /** The y range, widened to whole decades. */
    public SvgChart yRange(double min, double max) {
        if (!(min > 0 && max > min)) {
            throw new IllegalArgumentException("y range must be positive and increasing: " + min + ".." + max);
        }
        this.yMin = Math.pow(10, Math.floor(Math.log10(min)));
        this.yMax = Math.pow(10, Math.ceil(Math.log10(max)));
        return this;
    }

    public SvgChart line(String name, String color, double[] xs, double[] ys) {
        if (xs.length != ys.length) {
            throw new IllegalArgumentException("series " + name + ": " + xs.length + " x values, " + ys.length + " y values");
        }
        series.add(new Series(name, color, xs.clone(), ys.clone()));
        return this;
    }

    public SvgChart marks(String name, String color, double[] xs) {
        marks.add(new Marks(name, color, xs.clone()));
        return this;
    }

    public SvgChart rule(String label, String color, double y) {
        rules.add(new Rule(label, color, y));
        return this;
    }

    private double px(double x) {
        return LEFT + (WIDTH - LEFT - RIGHT) * Math.max(0, Math.min(x, xMax)) / xMax;
    }

    private double py(double y) {
        double clamped = Math.max(yMin, Math.min(y, yMax));
        double f = (Math.log10(clamped) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin));
        return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * f;
    }

    /** The chart as a standalone SVG document. */
    public String render() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">%n",
                WIDTH, HEIGHT, WIDTH, HEIGHT));
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        text(s, LEFT, 22, "start", "font-size=\"16\" font-weight=\"bold\"", title);
        String[] sub = subtitle.split("\n", 2);
        text(s, LEFT, 38, "start", "fill=\"#555\"", sub[0]);
        if (sub.length > 1) {
            text(s, LEFT, 52, "start", "fill=\"#555\"", sub[1]);
        }
        double plotBottom = HEIGHT - BOTTOM;
        // y grid: one line per decade
        for (double d = yMin; d <= yMax * 1.0001; d *= 10) {
            double y = py(d);
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    (double) LEFT, y, (double) (WIDTH - RIGHT), y));
            text(s, LEFT - 6, y + 4, "end", "fill=\"#333\"", micros(d));
        }
        // x grid: about ten steps
        double step = niceStep(xMax / 10);
        for (double x = 0; x <= xMax + 1e-9; x += step) {
            double xp = px(x);
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>%n",
                    xp, TOP, xp, plotBottom));
            text(s, xp, plotBottom + 16, "middle", "fill=\"#333\"", trim(x));
        }
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
                + "stroke=\"#999\"/>%n", LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM));
        text(s, LEFT + (WIDTH - LEFT - RIGHT) / 2.0, plotBottom + 34, "middle", "", xLabel);
        s.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 16 %.1f)\">%s</text>%n", (TOP + plotBottom) / 2, (TOP + plotBottom) / 2,
                escape(yLabel)));
        for (Rule r : rules) {
            double y = py(r.y());
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" "
                    + "stroke-dasharray=\"6 4\"/>%n", LEFT, y, WIDTH - RIGHT, y, r.color()));
            text(s, LEFT + 6, y - 4, "start", "fill=\"" + r.color() + "\"", r.label());
        }
        for (Series l : series) {
            double gap = typicalStep(l.xs()) * 1.5;
            s.append("<g fill=\"none\" stroke-width=\"1.2\" stroke=\"").append(l.color()).append("\"><title>")
                    .append(escape(l.name())).append("</title>\n<polyline points=\"");
            for (int i = 0; i < l.xs().length && l.xs()[i] <= xMax; i++) {
                if (i > 0 && l.xs()[i] - l.xs()[i - 1] > gap) { // no reads in between: break the line
                    s.append("\"/>\n<polyline points=\"");
                }
                s.append(String.format(Locale.ROOT, "%.1f,%.1f ", px(l.xs()[i]), py(l.ys()[i])));
            }
            s.append("\"/>\n</g>\n");
        }
        int row = 0;
        for (Marks m : marks) {
            double y0 = plotBottom - 4 - 8 * row;
            for (double x : m.xs()) {
                if (x <= xMax) {
                    s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                            + "stroke=\"%s\" stroke-width=\"2\"/>%n", px(x), y0, px(x), y0 - 6, m.color()));
                }
            }
            row++;
        }
        // legend
        double ly = HEIGHT - 36;
        double lx = LEFT;
        for (Series l : series) {
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                    + "stroke-width=\"3\"/>%n", lx, ly - 4, lx + 22, ly - 4, l.color()));
            text(s, lx + 28, ly, "start", "", l.name());
            lx += 36 + 7 * l.name().length();
        }
        ly += 18;
        lx = LEFT;
        for (Marks m : marks) {
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                    + "stroke-width=\"2\"/>%n", lx + 11, ly, lx + 11, ly - 8, m.color()));
            text(s, lx + 28, ly, "start", "", m.name());
            lx += 36 + 7 * m.name().length();
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static void text(StringBuilder s, double x, double y, String anchor, String attrs, String text) {
        s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" %s>%s</text>%n", x, y, anchor,
                attrs, escape(text)));
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** A y tick label for a value in microseconds. */
    static String micros(double us) {
        if (us >= 1_000_000) {
            return trim(us / 1_000_000) + " s";
        }
        if (us >= 1000) {
            return trim(us / 1000) + " ms";
        }
        if (us >= 1) {
            return trim(us) + " µs";
        }
        return trim(us * 1000) + " ns";
    }

    private static String trim(double v) {
        if (Math.abs(v - Math.rint(v)) < 1e-9) {
            return Long.toString(Math.round(v));
        }
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** The most common distance between consecutive x values (the bucket width). */
    static double typicalStep(double[] xs) {
        if (xs.length < 2) {
            return Double.MAX_VALUE;
        }
        double[] d = new double[xs.length - 1];
        for (int i = 1; i < xs.length; i++) {
            d[i - 1] = xs[i] - xs[i - 1];
        }
        java.util.Arrays.sort(d);
        return d[d.length / 2];
    }

    private static double niceStep(double raw) {
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= raw) {
                return m * p;
            }
        }
        return 10 * p;
    }
}
