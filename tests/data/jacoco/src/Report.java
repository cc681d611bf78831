import java.io.File;
import java.io.FileOutputStream;
import java.io.PrintStream;
import org.jacoco.core.analysis.Analyzer;
import org.jacoco.core.analysis.CoverageBuilder;
import org.jacoco.core.analysis.IBundleCoverage;
import org.jacoco.core.analysis.ICounter;
import org.jacoco.core.analysis.ICoverageNode.CounterEntity;
import org.jacoco.core.tools.ExecFileLoader;
import org.jacoco.report.DirectorySourceFileLocator;
import org.jacoco.report.IReportVisitor;
import org.jacoco.report.xml.XMLFormatter;

/**
 * Turn a jacoco.exec into jacoco.xml with JaCoCo's own report API (Debian's
 * libjacoco-java ships no CLI), and print the bundle's counters: the native totals.
 * Usage: Report EXEC CLASSES_DIR SOURCES_DIR OUT_XML
 */
public final class Report {
    public static void main(String[] args) throws Exception {
        ExecFileLoader loader = new ExecFileLoader();
        loader.load(new File(args[0]));
        CoverageBuilder builder = new CoverageBuilder();
        new Analyzer(loader.getExecutionDataStore(), builder).analyzeAll(new File(args[1]));
        IBundleCoverage bundle = builder.getBundle("shop");
        try (FileOutputStream out = new FileOutputStream(args[3])) {
            IReportVisitor visitor = new XMLFormatter().createVisitor(out);
            visitor.visitInfo(loader.getSessionInfoStore().getInfos(),
                    loader.getExecutionDataStore().getContents());
            visitor.visitBundle(bundle, new DirectorySourceFileLocator(new File(args[2]), "utf-8", 4));
            visitor.visitEnd();
        }
        PrintStream o = System.out;
        for (CounterEntity e : CounterEntity.values()) {
            ICounter c = bundle.getCounter(e);
            o.println(e + " covered=" + c.getCoveredCount() + " missed=" + c.getMissedCount()
                    + " total=" + c.getTotalCount());
        }
    }
}
