package dev.leakhound;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

class LayersTest {
    @Test
    void probe() {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(l -> !l.contains("test-classes") && !l.contains("-tests.jar"))
                .importPackages("dev.leakhound");
        System.out.println("imported " + classes.size());
        classes.stream().map(c -> c.getSource().map(s -> s.getUri().toString()).orElse("?").replaceAll("!.*","")).distinct().forEach(System.out::println);
        noClasses().that().resideInAPackage("dev.leakhound.model..")
                .should().dependOnClassesThat().resideInAPackage("dev.leakhound.capture..").check(classes);
        assertThat(classes.size()).isGreaterThan(100);
    }
}
