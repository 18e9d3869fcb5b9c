package dev.keysource.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysource.it.FaultMatrix.Expect;
import dev.keysource.it.FaultMatrix.Row;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/RELIABILITY.md cannot drift from the fault matrix: its table has exactly one row per matrix row
 * (matched by the id in the first column), and each states the outcome, exit code and attempts the build
 * asserts for that row (today's behaviour for a known defect, which the page lists).
 */
class ReliabilityDocTest {

    static final Path DOC = Path.of(System.getProperty("keysource.repo.root", ".."), "docs", "RELIABILITY.md");
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([a-z0-9-]+)`\\s*\\|(.*)\\|\\s*$");

    /** The cells after the id of each table row of the "Fault matrix" section, by id, in order. */
    static Map<String, List<String>> docRows() throws IOException {
        Map<String, List<String>> rows = new LinkedHashMap<>();
        boolean inMatrix = false;
        List<String> duplicates = new ArrayList<>();
        for (String line : Files.readAllLines(DOC)) {
            if (line.startsWith("## ")) {
                inMatrix = line.equals("## Fault matrix");
                continue;
            }
            Matcher m = ROW.matcher(line);
            if (inMatrix && m.matches()) {
                List<String> cells = new ArrayList<>();
                for (String c : m.group(2).split("\\|", -1)) {
                    cells.add(c.trim());
                }
                if (rows.put(m.group(1), cells) != null) {
                    duplicates.add(m.group(1));
                }
            }
        }
        assertThat(duplicates).as("ids documented twice").isEmpty();
        return rows;
    }

    @Test
    void reliabilityDoc_rows_matchTheFaultMatrixOneToOne() throws IOException {
        Map<String, List<String>> doc = docRows();
        List<String> matrix = FaultMatrix.ids();

        assertThat(doc).as("the fault matrix table of %s", DOC).isNotEmpty();
        assertThat(new ArrayList<>(doc.keySet())).as("matrix rows without a row in %s", DOC)
                .containsAll(matrix);
        assertThat(matrix).as("rows in %s without a matrix row", DOC).containsAll(doc.keySet());
    }

    @Test
    void reliabilityDoc_rows_stateWhatTheMatrixAsserts() throws IOException {
        Map<String, List<String>> doc = docRows();
        // columns after the id: fault | first load | event | exit | backend sees | time | with a good value | notes
        for (Row row : FaultMatrix.rows()) {
            List<String> cells = doc.get(row.id);
            if (cells == null) {
                continue; // reported by the one-to-one test
            }
            assertThat(cells).as("%s: the columns of the table", row.id).hasSize(8);
            Expect x = row.asserted();
            String outcome = cells.get(1).replace("`", "");
            assertThat(outcome).as("%s: first load", row.id).isEqualTo(x.outcome());
            assertThat(cells.get(2)).as("%s: event", row.id).isEqualTo(x.type == null ? "`FETCHED`" : "`FETCH_FAILED`");
            assertThat(cells.get(3)).as("%s: exit code", row.id).isEqualTo(Integer.toString(x.exitCode));
            assertThat(cells.get(4)).as("%s: attempts the backend sees", row.id).isEqualTo(Integer.toString(x.serverSeen));
            assertThat(cells.get(6)).as("%s: with a good value cached", row.id)
                    .contains(x.type == null ? "`REFRESHED`" : "`REFRESH_FAILED`");
            if (row.knownDefect != null) {
                assertThat(Files.readString(DOC)).as("%s: a known defect is listed", row.id)
                        .contains("- `" + row.id + "`: ");
            }
        }
    }
}
