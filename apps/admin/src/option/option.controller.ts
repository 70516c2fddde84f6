import { Body, Controller, Get, Inject, Put } from '@nestjs/common';
import { Role } from '@oneapi/domain';
import { Auth } from '../auth/auth.decorators';
import { ok } from '../common/envelope';
import { UpdateOptionDto } from './dtos/update-option.dto';
import { UpdateOptionsDto } from './dtos/update-options.dto';
import { OptionService } from './option.service';
import { ApiTags } from '@nestjs/swagger';
import { ApiAuth, ApiEnvelope, ApiErrors, ApiSummary } from '../openapi/api-docs.decorators';
import { OptionEntryDoc } from '../openapi/api-models';

/** `GET|PUT /api/option/` and `PUT /api/option/batch` (root). */
@ApiTags('option')
@ApiAuth(Role.Root)
@Controller('api/option')
@Auth(Role.Root)
export class OptionController {
  constructor(@Inject(OptionService) private readonly options: OptionService) {}

  @ApiSummary('Every option as `{key, value}` strings', 'Sorted by key; secrets (SMTPToken, GitHubClientSecret, ...) are omitted.')
  @ApiEnvelope([OptionEntryDoc])
  @Get()
  list() {
    return ok(this.options.list());
  }

  @ApiSummary('Set one option', 'The value is checked against the option’s type and guards; every node sees it without restart.')
  @ApiEnvelope(undefined, 'Saved')
  @ApiErrors(400)
  @Put()
  async update(@Body() dto: UpdateOptionDto) {
    await this.options.update(dto.key, dto.value);
    return ok();
  }

  @ApiSummary(
    'Set several options together (all or nothing)',
    'Every value is checked (type, bounds, and the login guards against the options as they would be after the save) before any is written. A refusal saves nothing and answers 400 with `code: "invalid_options"` and `data.errors: [{key, code, message, params}]`, one per refused key.',
  )
  @ApiEnvelope(undefined, 'Saved')
  @ApiErrors(400)
  @Put('batch')
  async updateMany(@Body() dto: UpdateOptionsDto) {
    await this.options.updateMany(dto.options);
    return ok();
  }
}
