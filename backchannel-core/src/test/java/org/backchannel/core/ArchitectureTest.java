package org.backchannel.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Keeps the layout that makes the code followable: modules depend one way ({@code sdk <- core <-
 * store <- server}) and core's feature packages form no cycle.
 */
class ArchitectureTest {
  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("org.backchannel.core", "org.backchannel.sdk");

  @Test
  void corePackagesFormNoCycle() {
    slices().matching("org.backchannel.core.(*)..").should().beFreeOfCycles().check(CLASSES);
  }

  /** The shared kernel (Problem, Json, Validation, paging) is below every feature. */
  @Test
  void kernelDependsOnNoFeature() {
    noClasses()
        .that()
        .resideInAPackage("org.backchannel.core")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.backchannel.core.*..")
        .check(CLASSES);
  }

  @Test
  void coreDependsOnNoOuterModule() {
    noClasses()
        .that()
        .resideInAPackage("org.backchannel.core..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.backchannel.store..", "org.backchannel.server..", "org.backchannel.testkit..")
        .check(CLASSES);
  }

  @Test
  void sdkDependsOnNothingOfOurs() {
    noClasses()
        .that()
        .resideInAPackage("org.backchannel.sdk..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.backchannel.core..",
            "org.backchannel.store..",
            "org.backchannel.server..",
            "org.backchannel.testkit..")
        .check(CLASSES);
  }
}
