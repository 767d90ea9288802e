package org.backchannel.testkit;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The store is below the server: it implements core's ports and knows nothing above them. */
class ModuleDirectionTest {
  @Test
  void storeDependsOnNoOuterModule() {
    noClasses()
        .that()
        .resideInAPackage("org.backchannel.store..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.backchannel.server..", "org.backchannel.testkit..")
        .check(
            new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.backchannel.store"));
  }
}
