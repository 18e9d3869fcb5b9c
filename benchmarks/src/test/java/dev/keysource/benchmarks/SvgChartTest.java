package dev.keysource.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class SvgChartTest {

    private static Document parse(String svg) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void render_seriesWithGap_breaksLineAndIsWellFormedXml() throws Exception {
        String svg = new SvgChart("a <title> & more", "line one\nline two", "time (s)", "latency")
                .xRange(1)
                .yRange(0.05, 2000)
                .line("one", "#123456", new double[] {0.0, 0.1, 0.2, 0.6, 0.7}, new double[] {1, 2, 3, 4, 5})
                .marks("calls", "#654321", new double[] {0.15, 0.65})
                .rule("target", "#00aa00", 50)
                .render();

        Document doc = parse(svg);
        assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
        assertThat(doc.getElementsByTagName("polyline").getLength()).isEqualTo(2);
        assertThat(svg).contains("a &lt;title&gt; &amp; more").contains(">line one<").contains(">line two<");
        // decades from 10 ns (0.01 µs) to 10 ms
        assertThat(svg).contains(">10 ns<").contains(">10 ms<").doesNotContain(">100 ms<");
    }

    @Test
    void yRange_notPositive_isRejected() {
        assertThatThrownBy(() -> new SvgChart("t", "s", "x", "y").yRange(0, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("y range must be positive and increasing: 0.0..10.0");
    }

    @Test
    void micros_eachScale_namesItsUnit() {
        assertThat(SvgChart.micros(0.01)).isEqualTo("10 ns");
        assertThat(SvgChart.micros(1)).isEqualTo("1 µs");
        assertThat(SvgChart.micros(50_000)).isEqualTo("50 ms");
        assertThat(SvgChart.micros(1_000_000)).isEqualTo("1 s");
    }

    @Test
    void typicalStep_regularWithOneGap_isTheRegularStep() {
        assertThat(SvgChart.typicalStep(new double[] {0, 1, 2, 3, 10, 11})).isEqualTo(1.0);
    }
}
